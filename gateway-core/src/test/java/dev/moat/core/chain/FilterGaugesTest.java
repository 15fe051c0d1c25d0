package dev.moat.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.FilterConfig;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSetup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A filter's gauge across chains built on one registry, as a reload does. */
class FilterGaugesTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Type {@code level}: publishes the gauge {@code level} with the value of its setting; {@code fail: true} throws. */
    private static final FilterFactory LEVEL = new FilterFactory() {
        @Override
        public String type() {
            return "level";
        }

        @Override
        public Set<String> settingKeys() {
            return Set.of("value", "fail");
        }

        @Override
        public Filter create(FilterSetup setup) {
            if (setup.settings().bool("fail", false)) {
                throw new IllegalStateException("refusing to start");
            }
            int value = setup.settings().integer("value", 0);
            setup.metrics().gauge("level", () -> value);
            return new Filter() {
            };
        }
    };

    private FilterChain build(Map<String, Object>... filters) {
        List<FilterConfig> configs = new java.util.ArrayList<>();
        for (Map<String, Object> f : filters) {
            Map<String, Object> settings = new java.util.LinkedHashMap<>(f);
            String name = (String) settings.remove("name");
            configs.add(new FilterConfig(name, "level", Duration.ofSeconds(1), settings));
        }
        return new FilterChainBuilder(Map.of("level", LEVEL)).build(configs, pool, registry);
    }

    private Double level(String filter) {
        Gauge g = registry.find("moat.filter.level").tag("filter", filter).gauge();
        return g == null ? null : g.value();
    }

    @Test
    void theNewestChainFeedsTheGaugeAndTheLastCloseRemovesIt() {
        @SuppressWarnings("unchecked")
        FilterChain first = build(Map.of("name", "a", "value", 1));
        assertEquals(1.0, level("a"));
        @SuppressWarnings("unchecked")
        FilterChain second = build(Map.of("name", "a", "value", 2));
        assertEquals(2.0, level("a"), "the reloaded instance's value, not the old one's");
        assertEquals(1, registry.find("moat.filter.level").gauges().size());
        first.close();
        assertEquals(2.0, level("a"), "closing the old chain leaves the new chain's gauge");
        second.close();
        assertNull(level("a"), "no chain publishes it any more");
    }

    @Test
    void aFailedBuildGivesTheGaugeBackToTheRunningChain() {
        @SuppressWarnings("unchecked")
        FilterChain running = build(Map.of("name", "a", "value", 1));
        @SuppressWarnings("unchecked")
        ConfigException e = assertThrows(ConfigException.class,
                () -> build(Map.of("name", "a", "value", 5), Map.of("name", "b", "fail", true)));
        assertEquals("filters[1]", e.keyPath());
        assertEquals(1.0, level("a"));
        assertNull(level("b"));
        running.close();
        assertNull(level("a"));
    }

    @Test
    void anOlderChainClosedFirstDoesNotTakeTheGaugeAway() {
        @SuppressWarnings("unchecked")
        FilterChain first = build(Map.of("name", "a", "value", 1), Map.of("name", "gone", "value", 7));
        @SuppressWarnings("unchecked")
        FilterChain second = build(Map.of("name", "a", "value", 2));
        second.close();
        assertEquals(1.0, level("a"), "back to the chain still running");
        assertEquals(7.0, level("gone"));
        first.close();
        assertNull(level("a"));
        assertNull(level("gone"));
    }
}
