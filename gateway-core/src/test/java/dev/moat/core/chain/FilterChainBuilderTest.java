package dev.moat.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.FilterConfig;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.InvalidSettingException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every problem the chain builder finds is a {@link ConfigException} at {@code filters[i]...}. */
class FilterChainBuilderTest {

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<String> closed = new ArrayList<>();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private Filter closeable(String name) {
        return new Filter() {
            @Override
            public void close() {
                closed.add(name);
            }
        };
    }

    /** A type with settings {@code max} (a positive integer) and {@code mode}. */
    private FilterFactory limited() {
        return ChainTestSupport.type("limited", Set.of("max", "mode"), s -> {
            int max = s.integer("max", 1);
            if (max <= 0) {
                throw new InvalidSettingException("max", "must be positive");
            }
            s.string("mode", "a");
            return closeable(s.filterName());
        });
    }

    private static FilterConfig config(String name, String type, Map<String, Object> settings) {
        return new FilterConfig(name, type, Duration.ofSeconds(1), new LinkedHashMap<>(settings));
    }

    private FilterChain build(List<FilterConfig> configs, FilterFactory... types) {
        Map<String, FilterFactory> byName = new LinkedHashMap<>();
        for (FilterFactory t : types) {
            byName.put(t.type(), t);
        }
        return new FilterChainBuilder(byName).build(configs, pool, new SimpleMeterRegistry());
    }

    @Test
    void buildsInstancesInOrderWithNameTypeTimeoutAndStages() {
        FilterChain chain = build(List.of(config("one", "limited", Map.of("max", 3)),
                new FilterConfig("two", "scripted", Duration.ofMillis(250), Map.of("data", "discard"))),
                limited(), ScriptedFilter.factory());
        assertEquals(List.of("one", "two"), chain.filters().stream().map(FilterInstance::name).toList());
        assertEquals(List.of("limited", "scripted"), chain.filters().stream().map(FilterInstance::type).toList());
        assertEquals(Duration.ofMillis(250), chain.filters().get(1).timeout());
        assertEquals(Set.of(), chain.filters().get(0).stages(), "a filter overriding no stage runs in none");
        assertEquals(EnumSet.range(Stage.CONNECT, Stage.DATA), chain.filters().get(1).stages());
        assertTrue(chain.hasStage(Stage.DATA));
        chain.close();
        assertEquals(List.of("one"), closed);
    }

    @Test
    void unknownTypeIsReportedAtItsTypeKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> build(List.of(config("x", "no-such-type", Map.of())), limited(), ScriptedFilter.factory()));
        assertEquals("filters[0].type", e.keyPath());
        assertEquals("unknown filter type 'no-such-type' (known types: limited, scripted)", e.reason());
        assertEquals("filters[0].type: " + e.reason(), e.getMessage());
    }

    @Test
    void unknownSettingIsReportedAtItsOwnKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> build(List.of(config("x", "limited", Map.of("max", 2, "colour", "red"))), limited()));
        assertEquals("filters[0].colour", e.keyPath());
        assertEquals("unknown setting for filter type 'limited' (known settings: name, type, timeout, max, mode)", e.reason());
    }

    @Test
    void invalidSettingExceptionFromTheFactoryIsReportedAtTheSettingsKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> build(List.of(config("x", "limited", Map.of("max", -1))), limited()));
        assertEquals("filters[0].max", e.keyPath());
        assertEquals("must be positive", e.reason());
        assertEquals("filters[0].max: must be positive", e.getMessage());
    }

    @Test
    void aBadlyTypedSettingIsReportedAtItsKeyWithTheIndexOfItsFilter() {
        ConfigException e = assertThrows(ConfigException.class, () -> build(List.of(
                config("ok", "limited", Map.of("max", 2)),
                config("bad", "limited", Map.of("max", "lots"))), limited()));
        assertEquals("filters[1].max", e.keyPath());
        assertEquals("'lots' is not a whole number", e.reason());
        assertEquals(List.of("ok"), closed, "filters built before the failure are closed");
    }

    @Test
    void aFactoryFailingOtherwiseIsReportedAtTheFilterEntry() {
        FilterFactory broken = ChainTestSupport.type("broken", Set.of(), s -> {
            throw new IllegalStateException("cannot reach the database");
        });
        ConfigException e = assertThrows(ConfigException.class, () -> build(List.of(config("b", "broken", Map.of())), broken));
        assertEquals("filters[0]", e.keyPath());
        assertTrue(e.reason().contains("filter type 'broken' failed to start") && e.reason().contains("cannot reach the database"),
                e.reason());
    }

    @Test
    void aFactoryReturningNullIsReportedAtTheFilterEntry() {
        FilterFactory nothing = ChainTestSupport.type("nothing", Set.of(), s -> null);
        ConfigException e = assertThrows(ConfigException.class, () -> build(List.of(config("n", "nothing", Map.of())), nothing));
        assertEquals("filters[0]", e.keyPath());
    }

    @Test
    void settingsReachTheFactoryTyped() {
        List<Object> got = new ArrayList<>();
        FilterFactory typed = ChainTestSupport.type("typed", Set.of("n", "flag", "size", "wait", "list", "one"), s -> {
            got.add(s.filterName());
            got.add(s.integer("n", 0));
            got.add(s.bool("flag", false));
            got.add(s.size("size", 0));
            got.add(s.duration("wait", Duration.ZERO));
            got.add(s.strings("list"));
            got.add(s.strings("one"));
            got.add(s.string("absent", "default"));
            got.add(s.has("absent"));
            return closeable("typed");
        });
        build(List.of(config("t", "typed", Map.of("n", 42, "flag", "yes", "size", "10MB", "wait", "500ms",
                "list", List.of("a", 2), "one", "solo"))), typed);
        assertEquals(List.of("t", 42, true, 10L * 1024 * 1024, Duration.ofMillis(500), List.of("a", "2"), List.of("solo"),
                "default", false), got);
    }

    /**
     * YAML {@code max: null} (or {@code max:} with nothing after it) reaches the builder as a null
     * setting value, which FilterConfig allows. It must either count as absent or be reported at
     * {@code filters[0].max}; it must not surface as a NullPointerException of the whole entry.
     */
    @Test
    void aSettingWithoutValueIsAbsentOrReportedAtItsKey() {
        List<Object> seen = new ArrayList<>();
        FilterFactory probe = ChainTestSupport.type("probe", Set.of("max"), s -> {
            seen.add(s.has("max"));
            seen.add(s.string("max"));
            return closeable("probe");
        });
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("max", null);
        try {
            build(List.of(config("p", "probe", settings)), probe);
            assertEquals(List.of(false, java.util.Optional.empty()), seen);
        } catch (ConfigException e) {
            assertEquals("filters[0].max", e.keyPath(), e.getMessage());
        }
    }

    @Test
    void theGatewayRefusesToStartWithAnUnknownFilterType() {
        ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.builder(dir)
                .filterType(ScriptedFilter.factory()).yaml("filters:\n  - {name: x, type: my-type}\n").start().close());
        assertEquals("filters[0].type", e.keyPath());
    }

    @Test
    void theGatewayRefusesToStartWithAnUnknownSettingOfAKnownType() {
        ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.builder(dir)
                .filterType(ScriptedFilter.factory())
                .yaml("filters:\n  - {name: x, type: scripted}\n  - {name: y, type: scripted, timeout: 1s, some-setting: 1}\n")
                .start().close());
        assertEquals("filters[1].some-setting", e.keyPath());
    }

    @Test
    void theGatewayRefusesToStartWhenAFactoryRejectsASetting() {
        ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.builder(dir).filterType(limited())
                .yaml("filters:\n  - {name: x, type: limited, max: 0}\n").start().close());
        assertEquals("filters[0].max", e.keyPath());
        assertEquals("must be positive", e.reason());
    }
}
