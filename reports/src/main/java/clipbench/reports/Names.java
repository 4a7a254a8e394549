package clipbench.reports;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/** File names for charts and galleries: stable, lower-case, safe in a URL and on any file system. */
final class Names {
    private static final int MAX = 100;

    private Names() {
    }

    /** The parts joined with '_', each reduced to [a-z0-9.-]; long names end with a short hash of the parts. */
    static String slug(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (p == null || p.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('_');
            }
            String s = p.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-").replaceAll("^[-.]+|[-.]+$", "");
            sb.append(s.isEmpty() ? "x" : s);
        }
        String s = sb.length() == 0 ? "chart" : sb.toString();
        if (s.length() > MAX) {
            s = s.substring(0, MAX - 9) + "-" + hash(String.join("\u0000", parts), 4);
        }
        return s;
    }

    /** {@code name}, or name-2, name-3... when already taken; the chosen name is added to {@code taken}. */
    static String unique(String name, Set<String> taken) {
        String n = name;
        for (int i = 2; !taken.add(n); i++) {
            n = name + "-" + i;
        }
        return n;
    }

    /** The first {@code bytes} bytes of {@code s}'s SHA-256, in hex. */
    static String hash(String s, int bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
