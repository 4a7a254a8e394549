package clipbench.clip.image;

import clipbench.api.image.RgbImage;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Decodes image files with {@code javax.imageio} into {@link RgbImage}s the way CLIP's Python
 * code sees them after {@code PIL.Image.open(f).convert("RGB")}.
 *
 * <p>Conversion rules (first frame only, sample values taken as stored: no ICC colour
 * management and no EXIF rotation, like PIL):
 * <ul>
 *   <li>RGB: as is. 16-bit samples keep their high byte ({@code v >> 8}), as PIL's
 *       {@code "RGB;16B"} unpacker does.</li>
 *   <li>Grayscale: R = G = B = gray. 1/2/4-bit gray is scaled to 0..255 (PIL's {@code "L;2"}
 *       etc.). 16-bit gray keeps its high byte, like 16-bit RGB. <b>This differs from PIL</b>,
 *       which opens 16-bit gray as mode {@code "I;16"} and clips it to 255 in
 *       {@code convert("RGB")} (so nearly every pixel turns white); we scale instead.</li>
 *   <li>Palette / indexed: looked up in the palette.</li>
 *   <li>Transparency (RGBA, LA, palette with tRNS): <b>composited on a white background</b>,
 *       {@code out = (c * a + 255 * (255 - a) + 127) / 255} in integers, i.e.
 *       {@code round(a/255 * c + (1 - a/255) * 255)} (the exact value is never halfway, so
 *       the rounding is unambiguous). This deliberately differs from PIL's {@code convert("RGB")},
 *       which drops the alpha channel and exposes whatever colour the transparent pixels store
 *       (often black): CLIP users composite emoji, logos and icons on white, which is what a
 *       viewer shows. 16-bit alpha is reduced to its high byte first. Premultiplied images are
 *       un-premultiplied first.</li>
 *   <li>CMYK and YCCK JPEGs: converted with PIL's {@code cmyk2rgb}
 *       ({@code R = (255 - K) - round(C * (255 - K) / 255)}, with PIL's integer rounding), on the
 *       CMYK values PIL itself sees (Adobe CMYK JPEGs are stored inverted; PIL and the JDK both
 *       invert them back). The JDK 9+ JPEG reader decodes these itself; when a reader refuses
 *       ({@code "Unsupported Image Type"}, as older JDKs do), the raw raster is read with
 *       {@link ImageReader#readRaster} and converted here from the Adobe transform flag.</li>
 *   <li>Any other colour space (rare: Lab, YCbCr TIFFs, float samples) goes through
 *       {@link BufferedImage#getRGB}, i.e. Java2D's conversion to sRGB.</li>
 * </ul>
 *
 * <p>Formats: those of {@link #fileExtensions()}. WebP (read-only) and TIFF come from the TwelveMonkeys
 * ImageIO plugins on the class path.
 *
 * <p>Images above a pixel limit ({@link PixelLimit}, by default Pillow's decompression-bomb threshold) are
 * refused from their header, before any pixel is decoded: the static {@code read} methods use
 * {@link PixelLimit#configured()}, an instance made with {@link #ImageDecoder(long)} its own limit.
 *
 * <p>Errors are {@link IOException}s whose message starts with the file name and says why:
 * missing file, empty (0-byte) file, not an image or an unknown format (naming HEIF/AVIF,
 * SVG or PDF when the header says so, since {@code javax.imageio} reads none of them), an image
 * above the pixel limit, a truncated file, or a corrupt one.
 */
public final class ImageDecoder {
    /** Extensions of the formats read, when ImageIO has a reader for them; dataset listers accept these. */
    private static final List<String> CANDIDATE_EXTENSIONS =
            List.of("bmp", "gif", "jpeg", "jpg", "png", "tif", "tiff", "webp");

    private static volatile List<String> extensions;

    private final long maxPixels;

    /**
     * A decoder that refuses images of more than {@code maxPixels} pixels.
     *
     * @throws IllegalArgumentException when {@code maxPixels} is not positive
     */
    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** A decoder with the limit of {@link PixelLimit#configured()} (the system property, or the default). */
    public static ImageDecoder configured() {
        return new ImageDecoder(PixelLimit.configured());
    }

    /** The most pixels an image read by this decoder may have. */
    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Lower-case file extensions of the images this decoder reads: {@code bmp, gif, jpeg, jpg, png, tif, tiff,
     * webp}, as far as {@link ImageIO#getReaderFileSuffixes()} reports a reader for them in this JVM, sorted.
     */
    public static List<String> fileExtensions() {
        List<String> s = extensions;
        if (s == null) {
            Set<String> readable = new TreeSet<>();
            for (String suffix : ImageIO.getReaderFileSuffixes()) {
                readable.add(suffix.toLowerCase(Locale.ROOT));
            }
            s = CANDIDATE_EXTENSIONS.stream().filter(readable::contains).sorted().toList();
            extensions = s;
        }
        return s;
    }

    /** Reads and converts {@code file} with {@link #configured()}; see the class comment. */
    public static RgbImage read(Path file) throws IOException {
        return configured().decode(file);
    }

    /**
     * Reads and converts an image from {@code in} (read to its end, not closed) with {@link #configured()};
     * {@code nameForErrors} names the source in error messages.
     */
    public static RgbImage read(InputStream in, String nameForErrors) throws IOException {
        return configured().decode(in, nameForErrors);
    }

    /** Reads and converts an encoded image held in memory with {@link #configured()}. */
    public static RgbImage read(byte[] encoded, String nameForErrors) throws IOException {
        return configured().decode(encoded, nameForErrors);
    }

    /** Reads and converts {@code file}; see the class comment for the rules and the errors. */
    public RgbImage decode(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new NoSuchFileException(name, null, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(name + ": is a directory, not an image file");
        }
        long size = Files.size(file);
        if (size == 0) {
            throw new IOException(name + ": empty file (0 bytes), not an image");
        }
        byte[] head = new byte[32];
        int headLen;
        try (InputStream in = Files.newInputStream(file)) {
            headLen = in.readNBytes(head, 0, head.length);
        }
        // A channel, not a java.io.File: the Path keeps the bytes of a name the JVM's charset cannot decode.
        return decode(() -> new ChannelImageInputStream(Files.newByteChannel(file)), name, head, headLen);
    }

    /**
     * Reads and converts an image from {@code in} (read to its end, not closed);
     * {@code nameForErrors} names the source in error messages.
     */
    public RgbImage decode(InputStream in, String nameForErrors) throws IOException {
        Objects.requireNonNull(in, "in");
        return decode(in.readAllBytes(), nameForErrors);
    }

    /** Reads and converts an encoded image held in memory. */
    public RgbImage decode(byte[] encoded, String nameForErrors) throws IOException {
        Objects.requireNonNull(encoded, "encoded");
        String name = nameForErrors == null ? "<stream>" : nameForErrors;
        if (encoded.length == 0) {
            throw new IOException(name + ": empty input (0 bytes), not an image");
        }
        return decode(() -> new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded)),
                name, encoded, Math.min(encoded.length, 32));
    }

    /** Opens a fresh stream over the same bytes (decoding, then maybe a structural check). */
    @FunctionalInterface
    private interface Source {
        ImageInputStream open() throws IOException;
    }

    private RgbImage decode(Source source, String name, byte[] head, int headLen)
            throws IOException {
        try (ImageInputStream iis = source.open()) {
            return decode(iis, source, name, head, headLen);
        }
    }

    private RgbImage decode(ImageInputStream iis, Source source, String name, byte[] head, int headLen)
            throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
        if (!readers.hasNext()) {
            throw new IOException(name + ": not an image or unknown format" + sniff(head, headLen));
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        String format = "image";
        try {
            format = reader.getFormatName().toUpperCase(Locale.ROOT);
            // Not forward-only and with metadata: the CMYK fallback seeks back and reads the Adobe flag.
            reader.setInput(iis, false, false);
            reader.addIIOReadWarningListener((r, message) -> warnings.add(message));
            // The header's size, before any pixel is allocated (Pillow checks the same in Image.open).
            String excess = PixelLimit.excess(reader.getWidth(0), reader.getHeight(0), maxPixels);
            if (excess != null) {
                throw new DecodeFailure(new IOException(name + ": " + format + " image " + excess
                        + "; refused before decoding (a possible decompression bomb)"));
            }
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IIOException e) {
                RgbImage viaRaster = "JPEG".equals(format) ? jpegRasterFallback(reader) : null;
                if (viaRaster == null) {
                    throw e;
                }
                checkWarnings(name, format, warnings);
                return viaRaster;
            }
            checkWarnings(name, format, warnings);
            return toRgb(image);
        } catch (DecodeFailure e) {
            throw e.io;
        } catch (IOException | RuntimeException e) {
            if (e.getClass() == IndexOutOfBoundsException.class) {
                // what ImageReader.read(0) throws when the file holds no image at all
                throw new IOException(name + ": " + format + " file contains no image", e);
            }
            // ImageIO readers report corrupt data with RuntimeExceptions too
            // (ArrayIndexOutOfBounds, IllegalArgument, NegativeArraySize, CMMException...).
            if (isTruncation(e) || truncationWarning(warnings) != null || looksTruncated(source, format)) {
                throw new IOException(name + ": truncated " + format + " file (" + describe(e) + ")", e);
            }
            throw new IOException(name + ": corrupt or unsupported " + format + " data (" + describe(e) + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /** Carries a finished IOException through the generic catch blocks of {@link #decode}. */
    private static final class DecodeFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient IOException io;

        DecodeFailure(IOException io) {
            super(io.getMessage(), null, false, false);
            this.io = io;
        }
    }

    private static void checkWarnings(String name, String format, List<String> warnings) {
        String t = truncationWarning(warnings);
        if (t != null) {
            // PIL refuses truncated files too (ImageFile.LOAD_TRUNCATED_IMAGES is False by default);
            // ImageIO's JPEG reader only warns and fills the rest with grey.
            throw new DecodeFailure(new IOException(name + ": truncated " + format + " file (" + t + ")"));
        }
    }

    private static String truncationWarning(List<String> warnings) {
        for (String w : warnings) {
            String l = w == null ? "" : w.toLowerCase(Locale.ROOT);
            if (l.contains("premature end") || l.contains("truncated")) {
                return w;
            }
        }
        return null;
    }

    private static boolean isTruncation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null) {
                String l = m.toLowerCase(Locale.ROOT);
                if (l.contains("premature end") || l.contains("unexpected end") || l.contains("truncated")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the stream ends before the container structure does: a PNG whose chunk list stops
     * before IEND (or whose last chunk is cut), a JPEG without the EOI marker at its end. Only
     * used to word the error of a file that failed to decode.
     */
    private static boolean looksTruncated(Source source, String format) {
        try (ImageInputStream iis = source.open()) {
            return looksTruncated(iis, format);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static boolean looksTruncated(ImageInputStream iis, String format) {
        try {
            if ("PNG".equals(format)) {
                iis.setByteOrder(java.nio.ByteOrder.BIG_ENDIAN);
                iis.seek(8);
                byte[] type = new byte[4];
                while (true) {
                    long len;
                    try {
                        len = iis.readInt() & 0xFFFFFFFFL;
                        iis.readFully(type);
                    } catch (EOFException eof) {
                        return true;
                    }
                    if (type[0] == 'I' && type[1] == 'E' && type[2] == 'N' && type[3] == 'D') {
                        return false;
                    }
                    long skip = len + 4; // data + CRC
                    long length = iis.length();
                    if (length >= 0) {
                        if (iis.getStreamPosition() + skip > length) {
                            return true;
                        }
                        iis.seek(iis.getStreamPosition() + skip);
                    } else if (iis.skipBytes(skip) < skip) {
                        return true;
                    }
                }
            }
            if ("JPEG".equals(format)) {
                long length = iis.length();
                if (length < 0) {
                    iis.seek(0);
                    byte[] all = readAll(iis);
                    return all.length < 2 || (all[all.length - 2] & 0xFF) != 0xFF || (all[all.length - 1] & 0xFF) != 0xD9;
                }
                if (length < 2) {
                    return true;
                }
                iis.seek(length - 2);
                return iis.read() != 0xFF || iis.read() != 0xD9;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static byte[] readAll(ImageInputStream iis) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = iis.read(buf)) > 0) {
            bos.write(buf, 0, n);
        }
        return bos.toByteArray();
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            String m = t.getMessage();
            sb.append(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    /** A hint for formats javax.imageio cannot read, from the first bytes. */
    static String sniff(byte[] head, int len) {
        String ascii = new String(head, 0, Math.max(0, len), StandardCharsets.ISO_8859_1);
        if (len >= 12 && ascii.startsWith("RIFF") && ascii.startsWith("WEBP", 8)) {
            return " (WebP, but no ImageIO WebP reader is on the class path)";
        }
        if (len >= 12 && ascii.startsWith("ftyp", 4)) {
            String brand = ascii.substring(8, 12);
            if (brand.startsWith("avi")) {
                return " (AVIF, which javax.imageio cannot read)";
            }
            if (brand.startsWith("hei") || brand.startsWith("mif") || brand.startsWith("hev")) {
                return " (HEIF/HEIC, which javax.imageio cannot read)";
            }
        }
        if (ascii.startsWith("%PDF")) {
            return " (a PDF document)";
        }
        String trimmed = ascii.stripLeading().toLowerCase(Locale.ROOT);
        if (trimmed.startsWith("<svg") || trimmed.startsWith("<?xml")) {
            return " (SVG/XML, a vector format javax.imageio cannot read)";
        }
        StringBuilder sb = new StringBuilder(" (first bytes:");
        for (int i = 0; i < Math.min(len, 8); i++) {
            sb.append(String.format(" %02x", head[i] & 0xFF));
        }
        return sb.append(')').toString();
    }

    // ---------------------------------------------------------------- BufferedImage -> RGB

    /** Converts a decoded image; see the class comment. */
    /**
     * Converts any {@link BufferedImage} the way decoded files are converted: sample values are taken as
     * stored (no ICC colour management, like PIL), 16-bit samples keep their high byte, CMYK is converted
     * with PIL's formula and transparency is composited on white.
     */
    public static RgbImage toRgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        // A BufferedImage's raster may be a child raster whose origin is not (0, 0).
        int x0 = raster.getMinX();
        int y0 = raster.getMinY();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];

        if (cm instanceof IndexColorModel icm) {
            int[] lut = new int[icm.getMapSize()];
            icm.getRGBs(lut);
            int[] idx = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(x0, y0 + y, w, 1, 0, idx);
                int o = y * w * 3;
                for (int x = 0; x < w; x++, o += 3) {
                    int i = idx[x];
                    int argb = i < lut.length ? lut[i] : 0xFF000000;
                    put(out, o, (argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF, argb >>> 24);
                }
            }
            return new RgbImage(w, h, out);
        }

        int type = cm.getColorSpace().getType();
        int nc = cm.getNumColorComponents();
        boolean alpha = cm.hasAlpha();
        int bands = raster.getNumBands();
        int dataType = raster.getTransferType();
        boolean known = (type == ColorSpace.TYPE_RGB && nc == 3)
                || (type == ColorSpace.TYPE_GRAY && nc == 1)
                || (type == ColorSpace.TYPE_CMYK && nc == 4);
        boolean integral = dataType == DataBuffer.TYPE_BYTE || dataType == DataBuffer.TYPE_USHORT
                || dataType == DataBuffer.TYPE_SHORT || dataType == DataBuffer.TYPE_INT;
        if (!known || !integral || bands != cm.getNumComponents()) {
            return viaGetRgb(image);
        }
        if (cm.isAlphaPremultiplied()) {
            WritableRaster copy = raster.createCompatibleWritableRaster();
            copy.setRect(raster);
            cm = cm.coerceData(copy, false);
            raster = copy;
            x0 = raster.getMinX();
            y0 = raster.getMinY();
        }
        int[] bits = new int[bands];
        boolean all8 = true;
        for (int b = 0; b < bands; b++) {
            bits[b] = cm.getComponentSize(b);
            all8 &= bits[b] == 8;
        }
        int[] s = new int[w * bands];
        byte[] row8 = null;
        boolean fastBytes = all8 && dataType == DataBuffer.TYPE_BYTE
                && raster.getSampleModel() instanceof ComponentSampleModel;
        if (fastBytes) {
            row8 = new byte[w * bands];
        }
        for (int y = 0; y < h; y++) {
            if (fastBytes) {
                // Band-ordered bytes (R, G, B[, A]) whatever the storage order (e.g. BGR).
                raster.getDataElements(x0, y0 + y, w, 1, row8);
                for (int i = 0; i < s.length; i++) {
                    s[i] = row8[i] & 0xFF;
                }
            } else {
                raster.getPixels(x0, y0 + y, w, 1, s);
                for (int i = 0; i < s.length; i++) {
                    s[i] = to8(s[i], bits[i % bands]);
                }
            }
            int o = y * w * 3;
            for (int x = 0, p = 0; x < w; x++, p += bands, o += 3) {
                int a = alpha ? s[p + nc] : 255;
                switch (type) {
                    case ColorSpace.TYPE_GRAY:
                        put(out, o, s[p], s[p], s[p], a);
                        break;
                    case ColorSpace.TYPE_CMYK:
                        putCmyk(out, o, s[p], s[p + 1], s[p + 2], s[p + 3], a);
                        break;
                    default:
                        put(out, o, s[p], s[p + 1], s[p + 2], a);
                        break;
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Reduces an n-bit sample to 8 bits: wider samples keep their high byte, narrower ones scale. */
    static int to8(int v, int bits) {
        if (bits == 8) {
            return v & 0xFF;
        }
        if (bits > 8) {
            return (v >>> (bits - 8)) & 0xFF;
        }
        int max = (1 << bits) - 1;
        return (v * 255 + max / 2) / max;
    }

    private static RgbImage viaGetRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            int o = y * w * 3;
            for (int x = 0; x < w; x++, o += 3) {
                int argb = row[x];
                put(out, o, (argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF, argb >>> 24);
            }
        }
        return new RgbImage(w, h, out);
    }

    private static void put(byte[] out, int o, int r, int g, int b, int a) {
        if (a != 255) {
            r = compositeOnWhite(r, a);
            g = compositeOnWhite(g, a);
            b = compositeOnWhite(b, a);
        }
        out[o] = (byte) r;
        out[o + 1] = (byte) g;
        out[o + 2] = (byte) b;
    }

    private static void putCmyk(byte[] out, int o, int c, int m, int y, int k, int a) {
        int rgb = cmykToRgb(c, m, y, k);
        put(out, o, rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF, a);
    }

    /**
     * Colour {@code c} (0..255) with straight alpha {@code a} (0..255) over white:
     * {@code round((c * a + 255 * (255 - a)) / 255)}; the quotient is never exactly halfway.
     */
    public static int compositeOnWhite(int c, int a) {
        return (c * a + 255 * (255 - a) + 127) / 255;
    }

    /**
     * PIL's {@code cmyk2rgb} ({@code libImaging/Convert.c}), packed {@code 0xRRGGBB}: with
     * {@code nk = 255 - K}, each of R, G, B is {@code nk - MULDIV255(C, nk)} where
     * {@code MULDIV255(a, b) = ((a*b + 128) >> 8 + a*b + 128) >> 8}. C, M, Y, K are the
     * non-inverted ink amounts PIL reports for a CMYK image.
     */
    public static int cmykToRgb(int c, int m, int y, int k) {
        int nk = 255 - k;
        int r = clip(nk - mulDiv255(c, nk));
        int g = clip(nk - mulDiv255(m, nk));
        int b = clip(nk - mulDiv255(y, nk));
        return r << 16 | g << 8 | b;
    }

    private static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    private static int clip(int v) {
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    // ---------------------------------------------------------------- JPEG raw-raster fallback

    /**
     * For JPEGs whose colour model the reader refuses: reads the raw raster (no colour conversion)
     * and converts it here. Returns null when that does not apply or fails, so the caller
     * reports the original error.
     */
    private static RgbImage jpegRasterFallback(ImageReader reader) {
        try {
            int transform = adobeTransform(reader.getImageMetadata(0));
            Raster raster = reader.readRaster(0, null);
            return fromJpegRaster(raster, transform);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The {@code transform} flag of the APP14 Adobe marker, or -1 when there is none. */
    static int adobeTransform(IIOMetadata metadata) {
        if (metadata == null) {
            return -1;
        }
        String fmt = "javax_imageio_jpeg_image_1.0";
        try {
            Node root = metadata.getAsTree(fmt);
            Node adobe = find(root, "app14Adobe");
            if (adobe == null) {
                return -1;
            }
            NamedNodeMap attrs = adobe.getAttributes();
            Node t = attrs == null ? null : attrs.getNamedItem("transform");
            return t == null ? -1 : Integer.parseInt(t.getNodeValue());
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private static Node find(Node n, String name) {
        if (name.equals(n.getNodeName())) {
            return n;
        }
        for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
            Node f = find(c, name);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /**
     * Converts a raw JPEG raster (the decoded component values, as {@link ImageReader#readRaster}
     * returns them) to RGB the way libjpeg + PIL do.
     * <ul>
     *   <li>4 components, Adobe transform 2 (YCCK): libjpeg's YCC-to-RGB on the first three,
     *       which gives the inverted CMY ({@code ycck_cmyk_convert} stores {@code 255 - R}, and
     *       PIL's {@code "CMYK;I"} inverts back), K inverted; then {@link #cmykToRgb}.</li>
     *   <li>4 components otherwise (CMYK, stored inverted by Adobe; PIL inverts every CMYK JPEG):
     *       {@code C = 255 - stored}, likewise M, Y, K; then {@link #cmykToRgb}.</li>
     *   <li>3 components: YCbCr unless the Adobe transform is 0 (then RGB as stored).</li>
     *   <li>1 component: gray.</li>
     * </ul>
     */
    static RgbImage fromJpegRaster(Raster raster, int adobeTransform) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        if (bands != 1 && bands != 3 && bands != 4) {
            throw new IllegalArgumentException("JPEG raster with " + bands + " components");
        }
        byte[] out = new byte[w * h * 3];
        int[] s = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, s);
            int o = y * w * 3;
            for (int x = 0, p = 0; x < w; x++, p += bands, o += 3) {
                int r;
                int g;
                int b;
                if (bands == 1) {
                    r = g = b = s[p] & 0xFF;
                } else if (bands == 3) {
                    if (adobeTransform == 0) {
                        r = s[p] & 0xFF;
                        g = s[p + 1] & 0xFF;
                        b = s[p + 2] & 0xFF;
                    } else {
                        int rgb = ycbcrToRgb(s[p] & 0xFF, s[p + 1] & 0xFF, s[p + 2] & 0xFF);
                        r = rgb >> 16;
                        g = (rgb >> 8) & 0xFF;
                        b = rgb & 0xFF;
                    }
                } else {
                    int c;
                    int m;
                    int yy;
                    if (adobeTransform == 2) {
                        // libjpeg outputs 255 - R etc.; PIL's "CMYK;I" inverts that back to R.
                        int rgb = ycbcrToRgb(s[p] & 0xFF, s[p + 1] & 0xFF, s[p + 2] & 0xFF);
                        c = rgb >> 16;
                        m = (rgb >> 8) & 0xFF;
                        yy = rgb & 0xFF;
                    } else {
                        c = 255 - (s[p] & 0xFF);
                        m = 255 - (s[p + 1] & 0xFF);
                        yy = 255 - (s[p + 2] & 0xFF);
                    }
                    int k = 255 - (s[p + 3] & 0xFF);
                    int rgb = cmykToRgb(c, m, yy, k);
                    r = rgb >> 16;
                    g = (rgb >> 8) & 0xFF;
                    b = rgb & 0xFF;
                }
                out[o] = (byte) r;
                out[o + 1] = (byte) g;
                out[o + 2] = (byte) b;
            }
        }
        return new RgbImage(w, h, out);
    }

    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    /** libjpeg's {@code ycc_rgb_convert} (jdcolor.c) fixed-point YCbCr to RGB, packed 0xRRGGBB. */
    static int ycbcrToRgb(int y, int cb, int cr) {
        int cbc = cb - 128;
        int crc = cr - 128;
        int crR = (fix(1.40200) * crc + ONE_HALF) >> SCALEBITS;
        int cbB = (fix(1.77200) * cbc + ONE_HALF) >> SCALEBITS;
        int gSum = ((-fix(0.34414)) * cbc + ONE_HALF + (-fix(0.71414)) * crc) >> SCALEBITS;
        return clip(y + crR) << 16 | clip(y + gSum) << 8 | clip(y + cbB);
    }
}
