package dev.moat.admin;

import dev.moat.core.config.RouteConfig;
import dev.moat.core.smtp.Simulation;
import dev.moat.filter.Address;
import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The JSON of a {@link Simulation.Result}: see docs/admin-api.md, "POST /api/v1/simulate". */
final class SimulationView {

    private SimulationView() {
    }

    static Map<String, Object> of(Simulation.Result r) {
        List<Map<String, Object>> verdicts = new ArrayList<>();
        for (Simulation.Call call : r.calls()) {
            verdicts.add(call(call));
        }
        List<Map<String, Object>> recipients = new ArrayList<>();
        for (Simulation.Recipient rcpt : r.recipients()) {
            recipients.add(Json.map("address", rcpt.address(), "accepted", rcpt.accepted(), "reply", reply(rcpt.reply()),
                    "route", rcpt.route().map(SimulationView::route).orElse(null)));
        }
        return Json.map(
                "outcome", r.outcome(),
                "stage", r.stage(),
                "reply", reply(r.reply()),
                "decidedBy", r.decidedBy().map(c -> Json.map("filter", c.filter(), "type", c.type(), "stage", c.stage()))
                        .orElse(null),
                "quarantineReason", r.reason().orElse(null),
                "route", r.route().map(SimulationView::route).orElse(null),
                "sender", r.sender().map(Address::toString).orElse(""),
                "recipients", recipients,
                "deliverTo", r.finalRecipients().stream().map(Address::toString).toList(),
                "verdicts", verdicts,
                "delivered", false);
    }

    private static Map<String, Object> call(Simulation.Call c) {
        Verdict v = c.verdict();
        Map<String, Object> out = Json.map("stage", c.stage());
        c.recipient().ifPresent(rcpt -> out.put("recipient", rcpt));
        out.put("filter", c.filter());
        out.put("type", c.type());
        out.put("verdict", c.detail().isEmpty() ? v.label() : detailLabel(c.detail(), v));
        v.reply().ifPresent(reply -> out.put("reply", reply(reply)));
        v.reason().ifPresent(reason -> out.put("reason", reason));
        if (v.disconnect()) {
            out.put("disconnect", true);
        }
        return out;
    }

    /** A timeout or a failure is labelled as in the metrics ({@code timeout}, {@code error}). */
    private static String detailLabel(String detail, Verdict v) {
        if (detail.equals("timeout")) {
            return "timeout";
        }
        if (detail.startsWith("error") || detail.equals("internal error") || detail.equals("interrupted")) {
            return "error";
        }
        return v.label();
    }

    private static Map<String, Object> reply(Reply r) {
        return Json.map("code", r.code(), "enhancedStatus", r.enhancedStatus(), "text", r.text());
    }

    private static Map<String, Object> route(RouteConfig route) {
        return Json.map("name", route.name(), "mode", route.mode().yamlName());
    }
}
