package dev.moat.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.smtp.Simulation;
import dev.moat.filter.Address;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /api/v1/simulate}, checked strictly (an unknown field, a wrong type or a
 * bad value is a 400 naming the field) and turned into a {@link Simulation.Request}.
 *
 * <pre>{"clientIp": "192.0.2.1", "helo": "mail.example", "mailFrom": "a@example.org",
 *  "rcptTo": ["b@example.com"], "message": "Subject: hi\r\n\r\nbody\r\n", "listener": "mx"}</pre>
 */
final class SimulationRequest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("clientIp", "helo", "mailFrom", "rcptTo", "message", "listener");

    private SimulationRequest() {
    }

    static Simulation.Request parse(byte[] body, MoatConfig config) throws ApiError {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiError.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("the body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("the body must be a JSON object with clientIp, mailFrom and rcptTo");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiError.badRequest("unknown field '" + name + "' (fields: clientIp, helo, mailFrom, rcptTo, message, listener)");
            }
        }
        String ip = text(root, "clientIp", true);
        if (!InetAddresses.isInetAddress(ip)) {
            throw ApiError.badRequest("clientIp must be an IPv4 or IPv6 address, got '" + ip + "'");
        }
        InetSocketAddress client = new InetSocketAddress(InetAddresses.forString(ip), 0);

        Optional<String> helo = Optional.ofNullable(text(root, "helo", false));
        if (helo.isPresent() && (helo.get().isBlank() || helo.get().length() > 255 || !printable(helo.get()))) {
            throw ApiError.badRequest("helo must be 1 to 255 printable characters");
        }
        String from = text(root, "mailFrom", true);
        Optional<Address> sender = from.isEmpty() ? Optional.empty() : Optional.of(address("mailFrom", from));

        JsonNode rcpts = root.get("rcptTo");
        if (rcpts == null || !rcpts.isArray() || rcpts.isEmpty()) {
            throw ApiError.badRequest("rcptTo must be a non-empty array of addresses");
        }
        int max = config.limits().maxRecipients();
        if (rcpts.size() > max) {
            throw ApiError.badRequest("rcptTo has " + rcpts.size() + " addresses; limits.max-recipients is " + max);
        }
        List<Address> recipients = new ArrayList<>();
        for (int i = 0; i < rcpts.size(); i++) {
            if (!rcpts.get(i).isTextual()) {
                throw ApiError.badRequest("rcptTo[" + i + "] must be a string");
            }
            recipients.add(address("rcptTo[" + i + "]", rcpts.get(i).asText()));
        }

        Optional<byte[]> message = Optional.empty();
        String text = text(root, "message", false);
        if (text != null) {
            // JSON users often write \n only; a message without any CR gets CRLF line ends
            String crlf = text.indexOf('\r') < 0 ? text.replace("\n", "\r\n") : text;
            byte[] bytes = crlf.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > config.limits().maxMessageSize()) {
                throw ApiError.badRequest("message is " + bytes.length + " bytes; limits.max-message-size is "
                        + config.limits().maxMessageSize());
            }
            message = Optional.of(bytes);
        }

        String listener = text(root, "listener", false);
        if (listener == null) {
            listener = config.listeners().get(0).name();
        } else if (config.listeners().stream().noneMatch(l -> l.name().equals(root.get("listener").asText()))) {
            throw ApiError.badRequest("listener '" + listener + "' is not configured");
        }
        return new Simulation.Request(listener, client, helo, sender, recipients, message);
    }

    private static String text(JsonNode root, String field, boolean required) throws ApiError {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiError.badRequest("field '" + field + "' is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw ApiError.badRequest("field '" + field + "' must be a string");
        }
        return node.asText();
    }

    private static Address address(String field, String value) throws ApiError {
        try {
            return Address.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(field + " is not a valid address: '" + value + "' (" + e.getMessage() + ")");
        }
    }

    private static boolean printable(String s) {
        return s.chars().allMatch(c -> c > 0x20 && c < 0x7F);
    }
}
