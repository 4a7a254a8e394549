package clipbench.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;

/**
 * Reads the JavaScript wrappers nsfwjs ships its TF.js models in, without running JavaScript.
 *
 * <ul>
 *   <li>{@code model.min.js}: a (minified) browserify bundle whose module sets
 *       {@code module.exports = {modelTopology: ..., weightsManifest: ...}} as an object literal (unquoted keys,
 *       numbers such as {@code .39}, booleans written {@code !0}/{@code !1}). {@link #modelJson} finds the object
 *       literal that has a {@code modelTopology} property, by scanning the source with string, comment and regular
 *       expression literals skipped, and parses it with a lenient Jackson parser.</li>
 *   <li>{@code group1-shardNofM.min.js}: the same kind of bundle exporting one string literal, the shard's bytes in
 *       base64. {@link #shard} returns the decoded bytes.</li>
 * </ul>
 *
 * Errors are {@link IOException}s whose message starts with the file (the {@code origin} argument).
 */
public final class JsWrappers {
    /** Jackson configured for JavaScript object literals (after {@code !0}, {@code !1}, {@code void 0} are rewritten). */
    public static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_TRAILING_DECIMAL_POINT_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS, JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS,
                    JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS,
                    JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();

    /** The property that marks the model object literal. */
    public static final String MODEL_KEY = "modelTopology";

    private JsWrappers() {
    }

    /** {@link #modelJson(String, String)} on a file. */
    public static JsonNode readModelJson(Path file) throws IOException {
        return modelJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** {@link #shard(String, String)} on a file. */
    public static byte[] readShard(Path file) throws IOException {
        return shard(Files.readString(file, StandardCharsets.ISO_8859_1), file.toString());
    }

    /**
     * The object literal in {@code source} that has a {@code modelTopology} property, as JSON.
     *
     * @param origin names the source in error messages (the file)
     */
    public static JsonNode modelJson(String source, String origin) throws IOException {
        int[] bounds = new Scanner(source, origin).objectWithKey(MODEL_KEY);
        if (bounds == null) {
            throw new IOException(origin + ": no JavaScript object literal with a '" + MODEL_KEY
                    + "' property found (expected a TF.js model.json or an nsfwjs model.min.js wrapper)");
        }
        JsonNode node = parseLiteral(source.substring(bounds[0], bounds[1]), origin);
        if (!node.isObject()) {
            throw new IOException(origin + ": the '" + MODEL_KEY + "' literal is not an object");
        }
        return node;
    }

    /**
     * The bytes of an nsfwjs shard wrapper: the string literal assigned to {@code exports} (as in
     * {@code module.exports="..."}), base64-decoded.
     */
    public static byte[] shard(String source, String origin) throws IOException {
        String b64 = new Scanner(source, origin).stringAssignedTo("exports");
        if (b64 == null) {
            throw new IOException(origin + ": no 'exports = \"...\"' string literal found (expected an nsfwjs "
                    + "group1-shardNofM.min.js wrapper holding the shard in base64)");
        }
        StringBuilder clean = new StringBuilder(b64.length());
        for (int i = 0; i < b64.length(); i++) {
            char c = b64.charAt(i);
            if (!Character.isWhitespace(c)) {
                clean.append(c);
            }
        }
        try {
            return Base64.getDecoder().decode(clean.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(origin + ": the exported string is not valid base64 (" + e.getMessage()
                    + "); is the file truncated?", e);
        }
    }

    /**
     * Parses one JavaScript object or array literal made of literals only: unquoted or single-quoted keys, trailing
     * commas, {@code .5}, and the minifier's {@code !0} (true), {@code !1} (false), {@code void 0} (null).
     */
    public static JsonNode parseLiteral(String literal, String origin) throws IOException {
        String json = rewriteMinifiedConstants(literal);
        try {
            return LENIENT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IOException(origin + ": cannot parse the JavaScript literal as JSON: " + e.getOriginalMessage()
                    + " at " + e.getLocation().offsetDescription(), e);
        }
    }

    /** Replaces {@code !0}, {@code !1}, {@code void 0} and {@code undefined} outside strings. */
    static String rewriteMinifiedConstants(String s) {
        StringBuilder out = new StringBuilder(s.length() + 64);
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                int end = skipString(s, i);
                out.append(s, i, end);
                i = end;
            } else if (c == '!' && i + 1 < n && (s.charAt(i + 1) == '0' || s.charAt(i + 1) == '1')
                    && (i + 2 >= n || !isIdentPart(s.charAt(i + 2)) && s.charAt(i + 2) != '.')) {
                out.append(s.charAt(i + 1) == '0' ? "true" : "false");
                i += 2;
            } else if (isIdentStart(c) && (i == 0 || !isIdentPart(s.charAt(i - 1)))) {
                int end = i;
                while (end < n && isIdentPart(s.charAt(end))) {
                    end++;
                }
                String word = s.substring(i, end);
                if (word.equals("void")) {
                    int j = end;
                    while (j < n && Character.isWhitespace(s.charAt(j))) {
                        j++;
                    }
                    int k = j;
                    while (k < n && Character.isDigit(s.charAt(k))) {
                        k++;
                    }
                    if (k > j) {
                        out.append("null");
                        i = k;
                        continue;
                    }
                }
                out.append(word.equals("undefined") ? "null" : word);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index just after the string literal starting at {@code start} (or the end of the text if unterminated). */
    private static int skipString(String s, int start) {
        char q = s.charAt(start);
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == q) {
                return i + 1;
            } else {
                i++;
            }
        }
        return s.length();
    }

    static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '$';
    }

    static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** A forward scanner over JavaScript source that knows strings, comments, regex literals and brackets. */
    private static final class Scanner {
        private final String s;
        private final String origin;
        private final int n;

        Scanner(String source, String origin) {
            this.s = source;
            this.origin = origin;
            this.n = source.length();
        }

        /** [start, end) of the innermost object literal holding property {@code key}, or null. */
        int[] objectWithKey(String key) throws IOException {
            Deque<int[]> open = new ArrayDeque<>(); // {position, bracket char}
            int i = 0;
            char lastSignificant = '(';
            while (i < n) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                    continue;
                }
                if (c == '/' && i + 1 < n && (s.charAt(i + 1) == '/' || s.charAt(i + 1) == '*')) {
                    i = skipComment(i);
                    continue;
                }
                if (c == '/' && regexAllowedAfter(lastSignificant)) {
                    i = skipRegex(i);
                    lastSignificant = 'a';
                    continue;
                }
                if (c == '"' || c == '\'' || c == '`') {
                    int end = endOfString(i);
                    if (s.substring(i + 1, end - 1).equals(key) && followedByColon(end) && topIsBrace(open)) {
                        return matchObject(open.peek()[0]);
                    }
                    i = end;
                    lastSignificant = 'a';
                    continue;
                }
                if (isIdentStart(c)) {
                    int end = i;
                    while (end < n && isIdentPart(s.charAt(end))) {
                        end++;
                    }
                    if (s.startsWith(key, i) && end - i == key.length() && followedByColon(end) && topIsBrace(open)
                            && (i == 0 || s.charAt(i - 1) != '.')) {
                        return matchObject(open.peek()[0]);
                    }
                    String word = s.substring(i, end);
                    // after a keyword such as 'return' or 'typeof' a '/' starts a regex, after a name it divides
                    lastSignificant = word.equals("return") || word.equals("typeof") || word.equals("case")
                            || word.equals("in") || word.equals("of") || word.equals("void") ? '(' : 'a';
                    i = end;
                    continue;
                }
                if (c == '{' || c == '[' || c == '(') {
                    open.push(new int[] {i, c});
                } else if (c == '}' || c == ']' || c == ')') {
                    if (!open.isEmpty()) {
                        open.pop();
                    }
                }
                lastSignificant = Character.isDigit(c) ? 'a' : c;
                i++;
            }
            return null;
        }

        private boolean topIsBrace(Deque<int[]> open) {
            return !open.isEmpty() && open.peek()[1] == '{';
        }

        private boolean followedByColon(int i) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i < n && s.charAt(i) == ':';
        }

        /** [start, end) of the bracketed literal opening at {@code start}. */
        private int[] matchObject(int start) throws IOException {
            int depth = 0;
            int i = start;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '"' || c == '\'' || c == '`') {
                    i = endOfString(i);
                    continue;
                }
                if (c == '/' && i + 1 < n && (s.charAt(i + 1) == '/' || s.charAt(i + 1) == '*')) {
                    i = skipComment(i);
                    continue;
                }
                if (c == '{' || c == '[' || c == '(') {
                    depth++;
                } else if (c == '}' || c == ']' || c == ')') {
                    depth--;
                    if (depth == 0) {
                        return new int[] {start, i + 1};
                    }
                }
                i++;
            }
            throw new IOException(origin + ": the object literal starting at character " + start
                    + " is never closed; is the file truncated?");
        }

        /** The decoded string literal in {@code name = "..."} (first such assignment), or null. */
        String stringAssignedTo(String name) throws IOException {
            int from = 0;
            while (true) {
                int i = s.indexOf(name, from);
                if (i < 0) {
                    return null;
                }
                from = i + name.length();
                if (i > 0 && isIdentPart(s.charAt(i - 1)) || from < n && isIdentPart(s.charAt(from))) {
                    continue;
                }
                int j = from;
                while (j < n && Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
                if (j >= n || s.charAt(j) != '=' || j + 1 < n && s.charAt(j + 1) == '=') {
                    continue;
                }
                j++;
                while (j < n && Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
                if (j < n && (s.charAt(j) == '"' || s.charAt(j) == '\'')) {
                    return decodeString(j);
                }
            }
        }

        private String decodeString(int start) throws IOException {
            char q = s.charAt(start);
            StringBuilder out = new StringBuilder();
            int i = start + 1;
            while (i < n) {
                char c = s.charAt(i);
                if (c == q) {
                    return out.toString();
                }
                if (c == '\n') {
                    break;
                }
                if (c == '\\' && i + 1 < n) {
                    char e = s.charAt(i + 1);
                    i += 2;
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 'r' -> out.append('\r');
                        case 't' -> out.append('\t');
                        case '\n' -> { } // line continuation
                        case 'u' -> {
                            out.append((char) Integer.parseInt(s.substring(i, Math.min(n, i + 4)), 16));
                            i += 4;
                        }
                        case 'x' -> {
                            out.append((char) Integer.parseInt(s.substring(i, Math.min(n, i + 2)), 16));
                            i += 2;
                        }
                        default -> out.append(e);
                    }
                    continue;
                }
                out.append(c);
                i++;
            }
            throw new IOException(origin + ": the string literal starting at character " + start
                    + " is never closed; is the file truncated?");
        }

        private int endOfString(int start) throws IOException {
            int end = skipString(s, start);
            if (end >= n && (end - 1 <= start || s.charAt(end - 1) != s.charAt(start))) {
                throw new IOException(origin + ": the string literal starting at character " + start
                        + " is never closed; is the file truncated?");
            }
            return end;
        }

        private int skipComment(int i) {
            if (s.charAt(i + 1) == '/') {
                int end = s.indexOf('\n', i);
                return end < 0 ? n : end + 1;
            }
            int end = s.indexOf("*/", i + 2);
            return end < 0 ? n : end + 2;
        }

        private static boolean regexAllowedAfter(char c) {
            return "(,=:[!&|?{};+-*%<>~^".indexOf(c) >= 0;
        }

        private int skipRegex(int start) {
            int i = start + 1;
            boolean inClass = false;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i += 2;
                    continue;
                }
                if (c == '\n') {
                    return start + 1; // not a regex after all: treat '/' as an operator
                }
                if (c == '[') {
                    inClass = true;
                } else if (c == ']') {
                    inClass = false;
                } else if (c == '/' && !inClass) {
                    i++;
                    while (i < n && isIdentPart(s.charAt(i))) {
                        i++;
                    }
                    return i;
                }
                i++;
            }
            return start + 1;
        }
    }
}
