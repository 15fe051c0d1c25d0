package dev.moat.core.chain;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.FilterConfig;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.InvalidSettingException;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;

/**
 * Builds the chain from the configuration's {@code filters:} list and the filter types known to
 * Guice. Every problem is a {@link ConfigException} naming {@code filters[i]...}: an unknown type, a
 * setting the type does not declare, a bad value, a factory that fails.
 */
public final class FilterChainBuilder {

    private final Map<String, FilterFactory> types;

    public FilterChainBuilder(Map<String, FilterFactory> types) {
        this.types = Map.copyOf(types);
    }

    public FilterChain build(List<FilterConfig> configs, ExecutorService pool, MeterRegistry metrics) {
        List<FilterInstance> instances = new ArrayList<>();
        FilterGauges.Owner gauges = FilterGauges.of(metrics).owner();
        try {
            for (int i = 0; i < configs.size(); i++) {
                instances.add(create(i, configs.get(i), metrics, gauges));
            }
        } catch (RuntimeException e) {
            closeQuietly(instances);
            gauges.close();
            throw e;
        }
        return new FilterChain(instances, pool, metrics, gauges);
    }

    private FilterInstance create(int index, FilterConfig config, MeterRegistry metrics, FilterGauges.Owner gauges) {
        String path = "filters[" + index + "]";
        FilterFactory factory = types.get(config.type());
        if (factory == null) {
            throw new ConfigException(path + ".type", "unknown filter type '" + config.type() + "' (known types: "
                    + String.join(", ", new TreeSet<>(types.keySet())) + ")");
        }
        for (String key : config.settings().keySet()) {
            if (!factory.settingKeys().contains(key)) {
                throw new ConfigException(path + "." + key, "unknown setting for filter type '" + config.type()
                        + "' (known settings: name, type, timeout" + (factory.settingKeys().isEmpty() ? "" : ", "
                        + String.join(", ", new TreeSet<>(factory.settingKeys()))) + ")");
            }
        }
        Filter filter;
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            // A plugin's libraries may look classes up through the context loader (ServiceLoader, JAXB...).
            thread.setContextClassLoader(factory.getClass().getClassLoader());
            filter = factory.create(new ConfiguredFilterSetup(new ConfiguredFilterSettings(config.name(), config.settings()),
                    new MicrometerFilterMetrics(metrics, gauges, config.name(), config.type()), java.time.Clock.systemUTC()));
        } catch (InvalidSettingException e) {
            throw new ConfigException(path + "." + e.key(), e.getMessage().substring(e.key().length() + 2));
        } catch (Exception e) {
            throw new ConfigException(path, "filter type '" + config.type() + "' failed to start: " + e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        if (filter == null) {
            throw new ConfigException(path, "filter type '" + config.type() + "' returned no filter");
        }
        return FilterInstance.of(config.name(), config.type(), config.timeout(), filter);
    }

    private static void closeQuietly(List<FilterInstance> instances) {
        for (FilterInstance instance : instances) {
            try {
                instance.filter().close();
            } catch (Exception ignored) {
                // start-up is failing already; the first error is the one to report
            }
        }
    }
}
