package clipbench.datasets;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * The part of a dataset spec after {@code id:}, split into a path and options:
 * {@code PATH?key=value&key=value}, as in {@code emoji:/data/emoji?label=subcategory&category=Food%20%26%20Drink}.
 *
 * <ul>
 *   <li>The options start at the <b>last</b> {@code ?}; they are {@code key=value} pairs joined by {@code &}.
 *       A location that names an existing file or folder as a whole is a path without options, so paths
 *       containing {@code ?} keep working.</li>
 *   <li>Values are percent-decoded as UTF-8 ({@code %20} space, {@code %26} {@code &}, {@code %3D} {@code =},
 *       {@code %3F} {@code ?}); {@code +} is kept as a plus sign, not turned into a space.</li>
 *   <li>Keys are case-sensitive; an unknown key, a repeated key or a pair without {@code =} is an
 *       {@link IllegalArgumentException} naming the dataset id and listing the keys it takes.</li>
 * </ul>
 *
 * @param path    the location without its options (may be empty)
 * @param options decoded options in the order given
 */
public record DatasetLocation(String path, Map<String, String> options) {
    public DatasetLocation {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /**
     * @param id       the dataset id, for messages
     * @param location what followed {@code id:}; null is treated as empty
     * @param keys     the option keys this dataset takes
     */
    public static DatasetLocation parse(String id, String location, Set<String> keys) {
        String loc = location == null ? "" : location.strip();
        int q = loc.lastIndexOf('?');
        if (q < 0 || exists(loc)) {
            return new DatasetLocation(loc, Map.of());
        }
        String path = loc.substring(0, q);
        String query = loc.substring(q + 1);
        Map<String, String> options = new LinkedHashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(id + ": option '" + pair + "' in '" + loc
                            + "' is not key=value; options: " + new TreeSet<>(keys));
                }
                String key = pair.substring(0, eq);
                if (!keys.contains(key)) {
                    throw new IllegalArgumentException(id + ": unknown option '" + key + "' in '" + loc
                            + "'; options: " + new TreeSet<>(keys));
                }
                if (options.containsKey(key)) {
                    throw new IllegalArgumentException(id + ": option '" + key + "' given twice in '" + loc + "'");
                }
                options.put(key, decode(id, pair.substring(eq + 1)));
            }
        }
        return new DatasetLocation(path, options);
    }

    private static boolean exists(String location) {
        try {
            return !location.isEmpty() && Files.exists(Path.of(location));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** Percent-decoding (UTF-8) that leaves {@code +} alone. */
    static String decode(String id, String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); ) {
            char ch = value.charAt(i);
            if (ch == '%') {
                if (i + 2 >= value.length()) {
                    throw new IllegalArgumentException(id + ": bad percent escape in '" + value + "'");
                }
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException(id + ": bad percent escape in '" + value + "'");
                }
                out.write(hi * 16 + lo);
                i += 3;
            } else {
                byte[] b = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(ch) && i + 1 < value.length()) {
                    b = value.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.write(b, 0, b.length);
                i++;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public Optional<String> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    /** A positive integer option, or empty when absent. */
    public OptionalInt positiveInt(String id, String key) {
        String v = options.get(key);
        if (v == null) {
            return OptionalInt.empty();
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n > 0) {
                return OptionalInt.of(n);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(id + ": option '" + key + "' must be a positive integer, got '" + v + "'");
    }

    /** A yes/no option ({@code true/false}, {@code yes/no}, {@code 1/0}), or the fallback when absent. */
    public boolean flag(String id, String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1":
                return true;
            case "false", "no", "0":
                return false;
            default:
                throw new IllegalArgumentException(id + ": option '" + key + "' must be true or false, got '" + v + "'");
        }
    }
}
