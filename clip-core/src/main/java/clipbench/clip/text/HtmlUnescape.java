package clipbench.clip.text;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML entity decoding as OpenAI's tokenizer gets it: {@link #unescape} is a port of Python's
 * {@code html.unescape} (CPython {@code Lib/html/__init__.py}), which {@code basic_clean} applies
 * twice; {@link #unescapeFtfy} is ftfy's stricter {@code unescape_html}, which {@code ftfy.fix_text}
 * applies first.
 *
 * <p>Numeric references follow CPython exactly (Windows-1252 for {@code &#128;}..{@code &#159;},
 * U+FFFD for surrogates and out-of-range values, dropped control characters and non-characters).
 * Named references use a subset of the 2,231-name HTML5 table: every HTML 4 entity, {@code &apos;},
 * and the all-caps spellings HTML5 defines for some of them ({@code &AMP;}, {@code &TRADE;}). That
 * includes all 106 legacy names CPython also accepts without a semicolon ({@code &amp},
 * {@code &eacute}). Rarer HTML5-only names such as {@code &check;} stay as typed, where Python
 * would decode them.
 */
final class HtmlUnescape {

    /** CPython's {@code _charref} pattern. */
    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /**
     * {@code name=hex code point}; a {@code *} marks the legacy names HTML5 (and CPython) also accept
     * without the trailing semicolon. Generated from CPython's {@code html.entities.html5}.
     */
    private static final String ENTITIES = """
            Aacute*=C1 aacute*=E1 Acirc*=C2 acirc*=E2 acute*=B4 AElig*=C6 aelig*=E6 Agrave*=C0
            agrave*=E0 alefsym=2135 Alpha=391 alpha=3B1 AMP*=26 amp*=26 and=2227 ang=2220 apos=27
            Aring*=C5 aring*=E5 asymp=2248 Atilde*=C3 atilde*=E3 Auml*=C4 auml*=E4 bdquo=201E Beta=392
            beta=3B2 brvbar*=A6 bull=2022 cap=2229 Ccedil*=C7 ccedil*=E7 cedil*=B8 cent*=A2 Chi=3A7
            chi=3C7 circ=2C6 clubs=2663 cong=2245 COPY*=A9 copy*=A9 crarr=21B5 cup=222A curren*=A4
            Dagger=2021 dagger=2020 dArr=21D3 darr=2193 deg*=B0 Delta=394 delta=3B4 diams=2666
            divide*=F7 Eacute*=C9 eacute*=E9 Ecirc*=CA ecirc*=EA Egrave*=C8 egrave*=E8 empty=2205
            emsp=2003 ensp=2002 Epsilon=395 epsilon=3B5 equiv=2261 Eta=397 eta=3B7 ETH*=D0 eth*=F0
            Euml*=CB euml*=EB euro=20AC exist=2203 fnof=192 forall=2200 frac12*=BD frac14*=BC frac34*=BE
            frasl=2044 Gamma=393 gamma=3B3 ge=2265 GT*=3E gt*=3E hArr=21D4 harr=2194 hearts=2665
            hellip=2026 Iacute*=CD iacute*=ED Icirc*=CE icirc*=EE iexcl*=A1 Igrave*=CC igrave*=EC
            image=2111 infin=221E int=222B Iota=399 iota=3B9 iquest*=BF isin=2208 Iuml*=CF iuml*=EF
            Kappa=39A kappa=3BA Lambda=39B lambda=3BB lang=27E8 laquo*=AB lArr=21D0 larr=2190 lceil=2308
            ldquo=201C le=2264 lfloor=230A lowast=2217 loz=25CA lrm=200E lsaquo=2039 lsquo=2018 LT*=3C
            lt*=3C macr*=AF mdash=2014 micro*=B5 middot*=B7 minus=2212 Mu=39C mu=3BC nabla=2207 nbsp*=A0
            ndash=2013 ne=2260 ni=220B not*=AC notin=2209 nsub=2284 Ntilde*=D1 ntilde*=F1 Nu=39D nu=3BD
            Oacute*=D3 oacute*=F3 Ocirc*=D4 ocirc*=F4 OElig=152 oelig=153 Ograve*=D2 ograve*=F2
            oline=203E Omega=3A9 omega=3C9 Omicron=39F omicron=3BF oplus=2295 or=2228 ordf*=AA ordm*=BA
            Oslash*=D8 oslash*=F8 Otilde*=D5 otilde*=F5 otimes=2297 Ouml*=D6 ouml*=F6 para*=B6 part=2202
            permil=2030 perp=22A5 Phi=3A6 phi=3C6 Pi=3A0 pi=3C0 piv=3D6 plusmn*=B1 pound*=A3 Prime=2033
            prime=2032 prod=220F prop=221D Psi=3A8 psi=3C8 QUOT*=22 quot*=22 radic=221A rang=27E9
            raquo*=BB rArr=21D2 rarr=2192 rceil=2309 rdquo=201D real=211C REG*=AE reg*=AE rfloor=230B
            Rho=3A1 rho=3C1 rlm=200F rsaquo=203A rsquo=2019 sbquo=201A Scaron=160 scaron=161 sdot=22C5
            sect*=A7 shy*=AD Sigma=3A3 sigma=3C3 sigmaf=3C2 sim=223C spades=2660 sub=2282 sube=2286
            sum=2211 sup=2283 sup1*=B9 sup2*=B2 sup3*=B3 supe=2287 szlig*=DF Tau=3A4 tau=3C4 there4=2234
            Theta=398 theta=3B8 thetasym=3D1 thinsp=2009 THORN*=DE thorn*=FE tilde=2DC times*=D7
            trade=2122 TRADE=2122 Uacute*=DA uacute*=FA uArr=21D1 uarr=2191 Ucirc*=DB ucirc*=FB Ugrave*=D9
            ugrave*=F9 uml*=A8 upsih=3D2 Upsilon=3A5 upsilon=3C5 Uuml*=DC uuml*=FC weierp=2118 Xi=39E
            xi=3BE Yacute*=DD yacute*=FD yen*=A5 Yuml=178 yuml*=FF Zeta=396 zeta=3B6 zwj=200D zwnj=200C
            """;

    /** Keys as in CPython's {@code html5} dict: {@code "amp;"} and, for legacy names, {@code "amp"}. */
    private static final Map<String, String> NAMED = new HashMap<>();

    static {
        for (String entry : ENTITIES.trim().split("\\s+")) {
            int eq = entry.indexOf('=');
            boolean legacy = entry.charAt(eq - 1) == '*';
            String name = entry.substring(0, legacy ? eq - 1 : eq);
            String value = Character.toString(Integer.parseInt(entry.substring(eq + 1), 16));
            NAMED.put(name + ";", value);
            if (legacy) {
                NAMED.put(name, value);
            }
        }
    }

    /** ftfy's {@code HTML_ENTITY_RE}: only references that end in a semicolon. */
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /**
     * ftfy's {@code HTML_ENTITIES}: {@code "&name;"} for every name, plus the all-caps spelling of
     * lower-case names where that spelling is no entity of its own ({@code &EACUTE;} is "É").
     */
    private static final Map<String, String> FTFY_NAMED = new HashMap<>();

    static {
        for (Map.Entry<String, String> e : NAMED.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(";")) {
                FTFY_NAMED.put("&" + name, e.getValue());
            }
        }
        for (Map.Entry<String, String> e : NAMED.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(";") && name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(Locale.ROOT);
                if (unescape(upper).equals(upper)) {
                    FTFY_NAMED.put(upper, e.getValue().toUpperCase(Locale.ROOT));
                }
            }
        }
    }

    private HtmlUnescape() {
    }

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replaceCharref(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** ftfy's {@code unescape_html}: decodes only complete, known references. */
    static String unescapeFtfy(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = FTFY_ENTITY.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String entity = m.group();
            String decoded = FTFY_NAMED.get(entity);
            if (decoded == null && entity.startsWith("&#")) {
                decoded = unescape(entity);
                if (decoded.indexOf(';') >= 0) {
                    decoded = null; // only part of it was a reference: keep it as typed
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(decoded == null ? entity : decoded));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replaceCharref(String s) {
        if (s.charAt(0) == '#') {
            boolean hex = s.length() > 1 && (s.charAt(1) == 'x' || s.charAt(1) == 'X');
            String digits = s.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            return numericCharref(parseSaturated(digits, hex ? 16 : 10));
        }
        String named = NAMED.get(s);
        if (named != null) {
            return named;
        }
        // Legacy entities without a semicolon: the longest known prefix wins, the rest is kept.
        for (int x = s.length() - 1; x > 1; x--) {
            named = NAMED.get(s.substring(0, x));
            if (named != null) {
                return named + s.substring(x);
            }
        }
        return "&" + s;
    }

    /** Parses ASCII digits; anything beyond the Unicode range saturates (it maps to U+FFFD anyway). */
    private static int parseSaturated(String digits, int radix) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            value = value * radix + Character.digit(digits.charAt(i), radix);
            if (value > Character.MAX_CODE_POINT) {
                return Integer.MAX_VALUE;
            }
        }
        return (int) value;
    }

    private static String numericCharref(int num) {
        if (num == 0x00) {
            return "\uFFFD";
        }
        if (num == 0x0D) {
            return "\r";
        }
        if (num >= 0x80 && num <= 0x9F) {
            return ClipTextCleaner.C1_AS_CP1252[num - 0x80];
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > Character.MAX_CODE_POINT) {
            return "\uFFFD";
        }
        if (isInvalidCodepoint(num)) {
            return "";
        }
        return Character.toString(num);
    }

    /** CPython's {@code _invalid_codepoints}: C0/C1 controls (not whitespace), non-characters. */
    private static boolean isInvalidCodepoint(int cp) {
        return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F)
                || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE;
    }
}
