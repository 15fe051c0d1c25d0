package dev.moat.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A parser of the Prometheus text exposition format (0.0.4) and of OpenMetrics text samples: each
 * non-comment line is {@code name{label="value",...} value [timestamp]}; {@code #} lines are skipped.
 * Label values are unescaped ({@code \\}, {@code \"}, {@code \n}). Strict: a line that does not
 * parse fails the test rather than being skipped.
 */
final class Exposition {

    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private Exposition(List<Sample> samples) {
        this.samples = samples;
    }

    static Exposition parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            samples.add(parseLine(line));
        }
        return new Exposition(samples);
    }

    private static Sample parseLine(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("bad metric name in: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq).trim();
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("unquoted label value in: " + line);
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).trim().split(" ");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            throw new IllegalArgumentException("bad value part in: " + line);
        }
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        return new Sample(name, Map.copyOf(labels), value);
    }

    List<Sample> samples() {
        return samples;
    }

    /** The samples of this name whose labels include all of {@code labels} ("k", "v", ...). */
    List<Sample> find(String name, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return samples.stream()
                .filter(s -> s.name().equals(name))
                .filter(s -> wanted.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
                .toList();
    }

    /** The value of the one sample that matches; fails if none or several match. */
    double value(String name, String... labels) {
        List<Sample> found = find(name, labels);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one sample " + name + " " + List.of(labels) + ", found "
                    + found + "; samples of that name: " + find(name));
        }
        return found.get(0).value();
    }

    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    @Override
    public String toString() {
        return samples.stream().map(Sample::toString).collect(Collectors.joining("\n"));
    }
}
