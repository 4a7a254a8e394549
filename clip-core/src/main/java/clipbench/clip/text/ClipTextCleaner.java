package clipbench.clip.text;

import java.text.Normalizer;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * The text clean-up of OpenAI's {@code clip/simple_tokenizer.py}:
 * {@code whitespace_clean(basic_clean(text)).lower()}, where {@code basic_clean} is
 * {@code ftfy.fix_text}, then {@code html.unescape(html.unescape(text))}, then {@code strip()}.
 *
 * <p>Hand-written on purpose: CLIP's token ids must be byte-exact with OpenAI's tokenizer, and there
 * is no well-kept Java port of ftfy, nor of the Python string semantics involved ({@code html.unescape},
 * {@code str.strip}, {@code str.lower}). Of ftfy 6's default {@code fix_text} this keeps every fix
 * except mojibake repair, in ftfy's order: {@code unescape_html}, {@code fix_c1_controls},
 * {@code fix_latin_ligatures}, {@code fix_character_width}, {@code uncurl_quotes},
 * {@code fix_line_breaks}, {@code fix_surrogates}, {@code remove_terminal_escapes},
 * {@code remove_control_chars} and NFC. Not ported is {@code fix_encoding} (text that is itself
 * mojibake, such as "cafÃ©", or that ftfy's heuristics take for it, keeps its characters and may get
 * other ids than OpenAI's), and the named HTML entities are a subset (see {@link HtmlUnescape}).
 */
final class ClipTextCleaner {

    /**
     * Code points 0x80..0x9F read as Windows-1252 (bytes it leaves undefined keep their code point):
     * ftfy's {@code fix_c1_controls} and CPython's {@code html._invalid_charrefs} agree on this table.
     */
    static final String[] C1_AS_CP1252 = {
        "\u20AC", "\u0081", "\u201A", "\u0192", "\u201E", "\u2026", "\u2020", "\u2021",
        "\u02C6", "\u2030", "\u0160", "\u2039", "\u0152", "\u008D", "\u017D", "\u008F",
        "\u0090", "\u2018", "\u2019", "\u201C", "\u201D", "\u2022", "\u2013", "\u2014",
        "\u02DC", "\u2122", "\u0161", "\u203A", "\u0153", "\u009D", "\u017E", "\u0178",
    };

    /** Unicode White_Space, which is what the {@code regex} module's {@code \s} matches. */
    static final String WHITE_SPACE_CLASS =
            "\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

    private static final Pattern WHITE_SPACE_RUN = Pattern.compile("[" + WHITE_SPACE_CLASS + "]+");

    /** ftfy's {@code ANSI_RE}; Python's {@code \d} is any decimal digit. */
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[\\p{Nd};]*[a-zA-Z]");

    private static final int WIDTH_FIRST = 0xFF01;
    /** NFKC of U+FF01..U+FFEF where it differs (half- and full-width forms), else null. */
    private static final String[] WIDTH_FORMS = new String[0xFFF0 - WIDTH_FIRST];

    static {
        for (int i = 0; i < WIDTH_FORMS.length; i++) {
            String s = Character.toString(WIDTH_FIRST + i);
            String nfkc = Normalizer.normalize(s, Normalizer.Form.NFKC);
            WIDTH_FORMS[i] = nfkc.equals(s) ? null : nfkc;
        }
    }

    private ClipTextCleaner() {
    }

    /** {@code whitespace_clean(basic_clean(text))}; the caller lower-cases. */
    static String clean(String text) {
        return whitespaceClean(basicClean(text));
    }

    static String basicClean(String text) {
        return pythonStrip(HtmlUnescape.unescape(HtmlUnescape.unescape(fixText(text))));
    }

    static String whitespaceClean(String text) {
        return pythonStrip(WHITE_SPACE_RUN.matcher(text).replaceAll(" "));
    }

    /**
     * {@code ftfy.fix_text} without mojibake repair (see the class comment). Like ftfy it works line by
     * line, and stops decoding entities from the first line that holds a '<' on (it may be HTML).
     */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        for (int pos = 0; pos < text.length(); ) {
            int lineEnd = text.indexOf('\n', pos) + 1;
            if (lineEnd == 0) {
                lineEnd = text.length();
            }
            String segment = text.substring(pos, lineEnd);
            unescapeHtml &= segment.indexOf('<') < 0;
            out.append(fixSegment(segment, unescapeHtml));
            pos = lineEnd;
        }
        return out.toString();
    }

    /** ftfy's {@code fix_and_explain}: its fixes in its order, repeated until nothing changes. */
    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String before = text;
            if (unescapeHtml) {
                text = HtmlUnescape.unescapeFtfy(text);
            }
            text = mapCodePoints(text, ClipTextCleaner::c1AsCp1252);
            text = mapCodePoints(text, ClipTextCleaner::ligature);
            text = mapCodePoints(text, ClipTextCleaner::fullOrHalfWidth);
            text = mapCodePoints(text, ClipTextCleaner::uncurl);
            text = text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n')
                    .replace('\u2029', '\n').replace('\u0085', '\n');
            text = mapCodePoints(text, cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE
                    ? "\uFFFD" : null);
            text = ANSI_ESCAPE.matcher(text).replaceAll("");
            text = mapCodePoints(text, cp -> isControlToRemove(cp) ? "" : null);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(before)) {
                return text;
            }
        }
    }

    /** Replaces each code point for which {@code fix} gives a string; null keeps it. */
    private static String mapCodePoints(String text, IntFunction<String> fix) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String fixed = fix.apply(cp);
            if (fixed != null && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (fixed != null) {
                out.append(fixed);
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out == null ? text : out.toString();
    }

    private static String c1AsCp1252(int cp) {
        return cp >= 0x80 && cp <= 0x9F ? C1_AS_CP1252[cp - 0x80] : null;
    }

    /** ftfy's {@code WIDTH_MAP}: U+3000 and the NFKC forms of U+FF01..U+FFEF. */
    private static String fullOrHalfWidth(int cp) {
        if (cp == 0x3000) {
            return " ";
        }
        return cp >= WIDTH_FIRST && cp < WIDTH_FIRST + WIDTH_FORMS.length ? WIDTH_FORMS[cp - WIDTH_FIRST] : null;
    }

    private static String uncurl(int cp) {
        if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) {
            return "'";
        }
        if (cp >= 0x201C && cp <= 0x201F) {
            return "\"";
        }
        return null;
    }

    /** ftfy's {@code LIGATURES}. */
    private static String ligature(int cp) {
        switch (cp) {
            case 0x0132: return "IJ";
            case 0x0133: return "ij";
            case 0x0149: return "\u02BCn";
            case 0x01F1: return "DZ";
            case 0x01F2: return "Dz";
            case 0x01F3: return "dz";
            case 0x01C4: return "D\u017D";
            case 0x01C5: return "D\u017E";
            case 0x01C6: return "d\u017E";
            case 0x01C7: return "LJ";
            case 0x01C8: return "Lj";
            case 0x01C9: return "lj";
            case 0x01CA: return "NJ";
            case 0x01CB: return "Nj";
            case 0x01CC: return "nj";
            case 0xFB00: return "ff";
            case 0xFB01: return "fi";
            case 0xFB02: return "fl";
            case 0xFB03: return "ffi";
            case 0xFB04: return "ffl";
            case 0xFB05: return "\u017Ft";
            case 0xFB06: return "st";
            default: return null;
        }
    }

    /** ftfy's {@code CONTROL_CHARS}. */
    private static boolean isControlToRemove(int cp) {
        return (cp >= 0x00 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
    }

    /**
     * Python's {@code str.lower()}. Java's {@code toLowerCase(Locale.ROOT)} maps every code point the
     * same way except a capital sigma: Python makes it final (ς) by the Unicode Final_Sigma rule,
     * Java by word boundaries, so Σ is decided here as CPython does.
     */
    static String pythonLower(String s) {
        if (s.indexOf('\u03A3') < 0) {
            return s.toLowerCase(Locale.ROOT);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (cp == 0x03A3) {
                out.append(isFinalSigma(s, i) ? '\u03C2' : '\u03C3');
            } else {
                out.append(Character.toString(cp).toLowerCase(Locale.ROOT));
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** CPython's {@code handle_capital_sigma}: cased, case-ignorable*, Σ, not (case-ignorable*, cased). */
    private static boolean isFinalSigma(String s, int index) {
        int j = index;
        int cp = 0;
        while (j > 0) {
            cp = s.codePointBefore(j);
            j -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                break;
            }
        }
        if (index == 0 || isCaseIgnorable(cp) || !isCased(cp)) {
            return false;
        }
        for (j = index + 1; j < s.length(); j += Character.charCount(cp)) {
            cp = s.codePointAt(j);
            if (!isCaseIgnorable(cp)) {
                return !isCased(cp);
            }
        }
        return true;
    }

    /** Unicode's Cased property. */
    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Unicode's Case_Ignorable: marks, format characters, modifiers, and the word-internal dots and quotes. */
    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT,
                    Character.MODIFIER_LETTER, Character.MODIFIER_SYMBOL:
                return true;
            default:
                break;
        }
        switch (cp) {
            case '\'', '.', ':', 0x00B7, 0x0387, 0x055F, 0x05F4, 0x2018, 0x2019, 0x2024, 0x2027,
                    0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
                return true;
            default:
                return false;
        }
    }

    /** Python's {@code str.strip()}: removes {@code str.isspace()} characters from both ends. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** {@code str.isspace()}: Unicode White_Space plus the separators U+001C..U+001F (all BMP). */
    private static boolean isPythonSpace(char c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000;
    }
}
