package dev.moat.core.config;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.util.regex.Pattern;

/**
 * Turns the text of the configuration file into plain Java values (maps, lists, strings, numbers,
 * booleans), and nothing else.
 *
 * <p>The file may be edited by more people than those who run the gateway, so the parser is
 * locked down: {@link SafeConstructor} builds no arbitrary classes, aliases are limited (a
 * "billion laughs" document cannot exhaust memory), and a key given twice is an error instead of
 * the last one silently winning. Unquoted dates are left as strings rather than turned into
 * mutable {@link java.util.Date}s that no setting expects.
 */
final class YamlParser {

    /** Aliases allowed per document; a real configuration uses a handful at most. */
    static final int MAX_ALIASES = 50;

    /** Deepest nesting allowed; Moat's own structure is four levels deep. */
    static final int MAX_NESTING = 50;

    /** Largest document, in code points. */
    static final int MAX_CODE_POINTS = 1024 * 1024;

    private YamlParser() {}

    /**
     * Parses one YAML document.
     *
     * @return the root value, or null for an empty document
     * @throws ConfigException with an empty key path and the line and column of the problem
     */
    static Object parse(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_CODE_POINTS);
        DumperOptions dumperOptions = new DumperOptions();
        Yaml yaml = new Yaml(
                new SafeConstructor(options),
                new Representer(dumperOptions),
                dumperOptions,
                options,
                new NoTimestampResolver());
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try {
            return yaml.load(body);
        } catch (DuplicateKeyException e) {
            String key = e.getProblem().replaceFirst("^found duplicate key ", "");
            throw new ConfigException("", "duplicate key '" + key + "'" + at(e.getProblemMark())
                    + " (a key may appear only once in a map)", e);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getContext() == null ? e.getProblem()
                    : e.getProblem() == null ? e.getContext()
                    : e.getContext() + ", " + e.getProblem();
            throw new ConfigException("", "invalid YAML" + at(mark) + ": " + oneLine(problem), e);
        } catch (YAMLException e) {
            throw new ConfigException("", "invalid YAML: " + oneLine(e.getMessage()), e);
        }
    }

    private static String at(Mark mark) {
        return mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String oneLine(String text) {
        return text == null ? "unknown problem" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The YAML 1.1 resolver without the implicit timestamp type. */
    private static final class NoTimestampResolver extends Resolver {
        @Override
        public void addImplicitResolver(Tag tag, Pattern regexp, String first, int limit) {
            if (!Tag.TIMESTAMP.equals(tag)) {
                super.addImplicitResolver(tag, regexp, first, limit);
            }
        }
    }
}
