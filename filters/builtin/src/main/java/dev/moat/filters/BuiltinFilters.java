package dev.moat.filters;

import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterPlugin;
import dev.moat.filters.addressrewrite.AddressRewriteFactory;
import dev.moat.filters.attachmentpolicy.AttachmentPolicyFactory;
import dev.moat.filters.connectionpolicy.ConnectionPolicyFactory;
import dev.moat.filters.headerchecks.HeaderChecksFactory;
import dev.moat.filters.recipientcheck.RecipientCheckFactory;
import dev.moat.filters.relayrules.RelayRulesFactory;
import dev.moat.filters.sizelimit.SizeLimitFactory;
import java.util.List;

/**
 * The built-in filter types, offered through the same {@link FilterPlugin} entry a third-party
 * plugin uses (found by {@code ServiceLoader} on Moat's class path instead of in a plugin directory),
 * so the plugin mechanism runs on every start.
 */
public final class BuiltinFilters implements FilterPlugin {

    @Override
    public List<FilterFactory> factories() {
        return List.of(new RelayRulesFactory(), new RecipientCheckFactory(), new AddressRewriteFactory(),
                new HeaderChecksFactory(), new SizeLimitFactory(), new ConnectionPolicyFactory(),
                new AttachmentPolicyFactory());
    }
}
