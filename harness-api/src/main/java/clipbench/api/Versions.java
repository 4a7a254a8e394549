package clipbench.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The clipbench version, recorded in every result row. */
public final class Versions {
    private static final String CLIPBENCH = load();

    private Versions() {
    }

    public static String clipbench() {
        return CLIPBENCH;
    }

    private static String load() {
        try (InputStream in = Versions.class.getResourceAsStream("/clipbench/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
