package dev.moat.core.smtp;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.net.ssl.SSLSocket;
import org.apache.commons.codec.digest.Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** Users, configuration and client steps shared by the submission tests. */
final class SubmissionSupport {

    static final String ALICE_PASSWORD = "Corr3ct-Horse!battery";
    static final String BOB_PASSWORD = "b0b's passphrase";

    private SubmissionSupport() {
    }

    /** alice with a bcrypt hash ({BLF-CRYPT}$2y$), bob with SHA512-CRYPT, as doveadm pw writes them. */
    static Path usersFile(Path dir) throws IOException {
        String alice = "{BLF-CRYPT}" + OpenBSDBCrypt.generate("2y", ALICE_PASSWORD.toCharArray(), salt(16), 5);
        String bob = "{SHA512-CRYPT}" + Crypt.crypt(BOB_PASSWORD.getBytes(StandardCharsets.UTF_8), "$6$Zx8uQ0pL$");
        Path file = dir.resolve("users");
        Files.writeString(file, "# test users\nalice@example.com:" + alice + "\nbob:" + bob + "::::\n");
        return file;
    }

    static byte[] salt(int n) {
        byte[] salt = new byte[n];
        new java.security.SecureRandom().nextBytes(salt);
        return salt;
    }

    static Path senderLogins(Path dir) throws IOException {
        Path file = dir.resolve("sender-logins");
        Files.writeString(file, "alice@example.com: alice@example.com, @alice.example\nbob: bob@example.com\n");
        return file;
    }

    /** A submission (587, STARTTLS) listener {@code sub} and a submissions (465) listener {@code subs}. */
    static String yaml(TlsTestCertificates certs, Path users, String authExtra) {
        return "listeners:\n"
                + "  - name: sub\n"
                + "    address: 127.0.0.1:0\n"
                + "    role: submission\n"
                + "    tls: {mode: starttls, certificate: \"" + certs.certificate + "\", key: \"" + certs.key + "\"}\n"
                + "  - name: subs\n"
                + "    address: 127.0.0.1:0\n"
                + "    role: submissions\n"
                + "    tls: {mode: implicit, certificate: \"" + certs.certificate + "\", key: \"" + certs.key + "\"}\n"
                + "auth:\n"
                + "  users-file: \"" + users + "\"\n"
                + authExtra;
    }

    /** Connects to the 587 listener, says EHLO, upgrades with STARTTLS and says EHLO again. */
    static RawSmtp startTls(TestGateway gw, TlsTestCertificates certs) throws Exception {
        int port = gw.address("sub").getPort();
        RawSmtp c = RawSmtp.connect(port);
        c.reply();
        c.send("EHLO client.example\r\n").reply();
        String ready = c.command("STARTTLS");
        if (!ready.startsWith("220 ")) {
            throw new IOException("STARTTLS refused: " + ready);
        }
        SSLSocket ssl = certs.handshake(c.socket(), port);
        c.use(ssl);
        return c;
    }

    /** Connects to the 465 listener with TLS from the first byte. */
    static RawSmtp implicit(TestGateway gw, TlsTestCertificates certs) throws Exception {
        int port = gw.address("subs").getPort();
        RawSmtp c = RawSmtp.connect(port);
        c.use(certs.handshake(c.socket(), port));
        c.reply();
        return c;
    }

    static String plain(String authz, String user, String password) {
        return Base64.getEncoder().encodeToString((authz + "\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
