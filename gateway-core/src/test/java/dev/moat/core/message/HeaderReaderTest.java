package dev.moat.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How a header field's value is unfolded: what filters match against. */
class HeaderReaderTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Subject: hello\\r\\n|Subject|hello",
        "Subject:hello\\r\\n|Subject|hello",
        "Subject:  two spaces\\r\\n|Subject|' two spaces'",
        "Subject: folded\\r\\n line\\r\\n|Subject|folded line",
        "Subject: tab\\r\\n\\tfolded\\r\\n|Subject|tab\\tfolded",
        "Subject: bare\\n lf\\r\\n|Subject|bare lf",
        "Subject: nul\\0inside\\r\\n|Subject|nul inside",
        "Subject:\\0lead\\r\\n|Subject|' lead'",
        "Subject:\\r\\n after-empty\\r\\n|Subject|after-empty",
        "X-Latin: caf\\u00e9\\r\\n|X-Latin|caf\\u00e9",
    })
    void unfoldsAValue(String raw, String name, String value) throws IOException {
        String field = unescape(raw);
        HeaderReader reader = new HeaderReader(new ByteArrayInputStream(
                (field + "\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        var header = reader.next().toHeader();
        assertEquals(name, header.name());
        assertEquals(unescape(value), header.value());
        assertNull(reader.next());
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\0", "\0")
                .replace("\\u00e9", "\u00e9");
    }
}
