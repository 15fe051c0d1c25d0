package dev.moat.bench.chain;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * The benchmark's messages: exactly 4,096 bytes each, as the gateway spools them (CRLF line endings,
 * dot-stuffing undone, without Moat's own Received header), with the header of an ordinary inbound
 * message from another organisation's mail server (two Received fields, a DKIM signature: 17 fields,
 * about 1.8 kB) and no attachment:
 * <ul>
 *   <li>{@code text-plain}: one {@code text/plain} body;</li>
 *   <li>{@code multipart-alternative}: {@code text/plain} and {@code text/html} versions of the text, as
 *       most mail clients send it (three MIME entities).</li>
 * </ul>
 */
final class TestMessages {

    static final int SIZE = 4096;
    private static final String CRLF = "\r\n";
    private static final String BOUNDARY = "------------moat0bench0Xq7e2c9a1f4d";

    private static final String TEXT = "Hi Olivia, thanks for sending the notes from Tuesday. I went through them "
            + "with the team this morning and we agree with most of the proposed timeline for the next quarter. "
            + "Two points need another look before we commit: the migration of the billing reports, which "
            + "depends on the new export format, and the staffing of the support rotation during the summer "
            + "holidays. For the reports, Noah suggested that we keep the old export running in parallel for "
            + "one month, so that finance can compare both versions before switching over. That costs a little "
            + "more work but removes most of the risk. For the rotation, we could ask the two new colleagues to "
            + "shadow the current team in June and take their own shifts from July. Could you check whether the "
            + "budget allows for the overlap? I have attached nothing this time; the figures are in the shared "
            + "folder under planning, in the sheet called quarterly estimates, second tab. Let me know if the "
            + "meeting on Thursday at ten still works for you, otherwise Friday afternoon is free on our side. ";

    private TestMessages() {
    }

    /** The message of the given shape: {@code text-plain} or {@code multipart-alternative}. */
    static byte[] of(String shape) {
        byte[] message = switch (shape) {
            case "text-plain" -> textPlain();
            case "multipart-alternative" -> multipartAlternative();
            default -> throw new IllegalArgumentException("unknown message shape: " + shape);
        };
        check(message);
        return message;
    }

    static byte[] textPlain() {
        String header = commonHeader()
                + "Content-Type: text/plain; charset=UTF-8; format=flowed" + CRLF
                + "Content-Transfer-Encoding: 7bit" + CRLF
                + CRLF;
        String signature = CRLF + "-- " + CRLF + "Alice Sender, Operations" + CRLF + "sender.example" + CRLF;
        int body = SIZE - header.length() - signature.length();
        return (header + wrapped(body, 0) + signature).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] multipartAlternative() {
        String header = commonHeader()
                + "Content-Type: multipart/alternative;" + CRLF
                + " boundary=\"" + BOUNDARY + "\"" + CRLF
                + CRLF
                + "This is a multi-part message in MIME format." + CRLF;
        String textPart = "--" + BOUNDARY + CRLF
                + "Content-Type: text/plain; charset=UTF-8; format=flowed" + CRLF
                + "Content-Transfer-Encoding: 7bit" + CRLF
                + CRLF;
        String htmlPart = CRLF + "--" + BOUNDARY + CRLF
                + "Content-Type: text/html; charset=UTF-8" + CRLF
                + "Content-Transfer-Encoding: 7bit" + CRLF
                + CRLF
                + "<!DOCTYPE html>" + CRLF
                + "<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=UTF-8\"></head>" + CRLF
                + "<body><p>" + CRLF;
        String end = "</p></body></html>" + CRLF + CRLF + "--" + BOUNDARY + "--" + CRLF;
        int left = SIZE - header.length() - textPart.length() - htmlPart.length() - end.length();
        int text = left / 2;
        return (header + textPart + wrapped(text, 0) + htmlPart + wrapped(left - text, 311) + end)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The 15 header fields before the content fields, as an ordinary message relayed by the sender's server has them. */
    private static String commonHeader() {
        byte[] signature = new byte[256];
        new Random(4).nextBytes(signature);
        String b = Base64.getEncoder().encodeToString(signature);
        StringBuilder dkim = new StringBuilder("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.example;"
                + CRLF + "\ts=s2024; t=1715670753;" + CRLF
                + "\tbh=Qm9keUhhc2hPZlRoZU1lc3NhZ2VCb2R5Rm9yQmVuY2htYXJr;" + CRLF
                + "\th=Date:From:To:Cc:Subject:Message-ID:MIME-Version:Content-Type;" + CRLF
                + "\tb=");
        for (int i = 0; i < b.length(); i += 72) {
            dkim.append(i == 0 ? "" : CRLF + "\t ").append(b, i, Math.min(b.length(), i + 72));
        }
        dkim.append(CRLF);
        return "Received: from mail-out.sender.example (mail-out.sender.example [198.51.100.23])" + CRLF
                + "\tby relay.sender.example (Postfix) with ESMTPS id 4VfL2k0Xq9z4x1" + CRLF
                + "\tfor <olivia.martin@example.com>; Tue, 14 May 2024 09:12:34 +0200 (CEST)" + CRLF
                + "Received: from [192.168.1.20] (p5b2c9d1e.dip0.t-ipconnect.de [91.44.157.30])" + CRLF
                + "\t(Authenticated sender: alice.sender@sender.example)" + CRLF
                + "\tby mail-out.sender.example (Postfix) with ESMTPSA id 4VfL2j6Tz1z9rxN" + CRLF
                + "\tfor <olivia.martin@example.com>; Tue, 14 May 2024 09:12:33 +0200 (CEST)" + CRLF
                + dkim
                + "Message-ID: <7c1e2f0a-3b5d-4e8a-9f21-6a0d5c4b8e13@sender.example>" + CRLF
                + "Date: Tue, 14 May 2024 09:12:33 +0200" + CRLF
                + "MIME-Version: 1.0" + CRLF
                + "User-Agent: Mozilla Thunderbird" + CRLF
                + "Content-Language: en-US" + CRLF
                + "From: Alice Sender <alice.sender@sender.example>" + CRLF
                + "To: Olivia Martin <olivia.martin@example.com>" + CRLF
                + "Cc: \"Garcia, Noah\" <noah.garcia@example.com>, team-planning@sender.example" + CRLF
                + "Reply-To: Alice Sender <alice.sender@sender.example>" + CRLF
                + "Subject: Re: Quarterly planning notes and next steps" + CRLF
                + "In-Reply-To: <5d0b6a1e-22c4-4a3e-8c0f-1f9e7b2d4a66@example.com>" + CRLF
                + "References: <5d0b6a1e-22c4-4a3e-8c0f-1f9e7b2d4a66@example.com>" + CRLF;
    }

    /**
     * Exactly {@code length} bytes of the sample text (from {@code offset} on, repeated as needed) as
     * lines of at most 72 characters broken at spaces, each ending with CRLF.
     */
    static String wrapped(int length, int offset) {
        if (length < 3) {
            throw new IllegalArgumentException("no room for the text: " + length);
        }
        StringBuilder out = new StringBuilder(length);
        int pos = offset % TEXT.length();
        while (true) {
            int left = length - out.length();
            if (left <= 74) { // the last line: cut to fit exactly
                out.append(take(pos, left - 2).stripTrailing());
                while (out.length() < length - 2) {
                    out.append('.');
                }
                return out.append(CRLF).toString();
            }
            String line = take(pos, 72);
            int cut = line.lastIndexOf(' ');
            if (cut > 40 && left - (cut + 3) >= 10) {
                line = line.substring(0, cut);
                pos += cut + 1;
            } else {
                pos += line.length();
            }
            out.append(line).append(CRLF);
        }
    }

    private static String take(int pos, int n) {
        StringBuilder s = new StringBuilder(n);
        while (s.length() < n) {
            s.append(TEXT.charAt((pos + s.length()) % TEXT.length()));
        }
        return s.toString();
    }

    private static void check(byte[] message) {
        if (message.length != SIZE) {
            throw new AssertionError("message is " + message.length + " bytes, not " + SIZE);
        }
        for (int i = 0; i < message.length; i++) {
            byte c = message[i];
            if ((c == '\n' && (i == 0 || message[i - 1] != '\r')) || (c == '\r' && (i + 1 == message.length || message[i + 1] != '\n'))) {
                throw new AssertionError("bare CR or LF at " + i);
            }
        }
        if (message[SIZE - 2] != '\r' || message[SIZE - 1] != '\n') {
            throw new AssertionError("message does not end with CRLF");
        }
    }
}
