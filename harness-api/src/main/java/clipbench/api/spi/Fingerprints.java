package clipbench.api.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as datasets use it for {@link Dataset#fingerprint()}: UTF-8 text in, lower-case hex out. */
public final class Fingerprints {
    private Fingerprints() {
    }

    /** A fresh SHA-256 digest (every JVM has one). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds {@code text} as UTF-8. */
    public static void update(MessageDigest md, String text) {
        md.update(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The digest so far, as lower-case hex. */
    public static String hex(MessageDigest md) {
        return HexFormat.of().formatHex(md.digest());
    }

    /** SHA-256 of {@code text} (UTF-8) as lower-case hex. */
    public static String sha256(String text) {
        MessageDigest md = sha256();
        update(md, text);
        return hex(md);
    }
}
