package clipbench.clip.image;

import clipbench.api.image.RgbImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ PNG variants

    @Test
    void rgbPngIsReadAsStored() throws IOException {
        BufferedImage bi = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] colors = {0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0x123456, 0xFFFFFF};
        for (int i = 0; i < 6; i++) {
            bi.setRGB(i % 3, i / 3, colors[i]);
        }
        RgbImage img = ImageDecoder.read(write(bi, "png", "rgb.png"));
        assertEquals(3, img.width());
        assertEquals(2, img.height());
        for (int i = 0; i < 6; i++) {
            assertEquals(colors[i], img.rgb(i % 3, i / 3));
        }
    }

    @Test
    void grayPngReplicatesToRgb() throws IOException {
        BufferedImage bi = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 1, 128, 255};
        bi.getRaster().setPixels(0, 0, 4, 1, values);
        RgbImage img = ImageDecoder.read(write(bi, "png", "gray.png"));
        for (int x = 0; x < 4; x++) {
            // raw values: no linear-gray -> sRGB conversion (getRGB would turn 128 into 187 or so)
            assertEquals(values[x], img.r(x, 0));
            assertEquals(values[x], img.g(x, 0));
            assertEquals(values[x], img.b(x, 0));
        }
    }

    @Test
    void gray16PngKeepsHighByte() throws IOException {
        BufferedImage bi = new BufferedImage(6, 1, BufferedImage.TYPE_USHORT_GRAY);
        bi.getRaster().setPixels(0, 0, 6, 1, new int[] {0, 255, 256, 0x80FF, 0xFF00, 65535});
        Path f = write(bi, "png", "gray16.png");
        assertEquals(16, bitDepthOfPng(f));
        RgbImage img = ImageDecoder.read(f);
        int[] expected = {0, 0, 1, 128, 255, 255};
        for (int x = 0; x < 6; x++) {
            assertEquals(expected[x], img.r(x, 0), "x=" + x);
            assertEquals(expected[x], img.b(x, 0), "x=" + x);
        }
    }

    @Test
    void rgb16PngKeepsHighByteLikePil() throws IOException {
        // PIL reads 16-bit RGB PNGs with the "RGB;16B" unpacker: the high byte. For these values
        // Pillow 12.3 gives R = [0, 0, 1, 128, 255, 255].
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(6, 1);
        int[] v = {0, 255, 256, 0x80FF, 0xFF00, 65535};
        for (int x = 0; x < 6; x++) {
            r.setPixel(x, 0, new int[] {v[x], 65535 - v[x], v[x]});
        }
        RgbImage img = ImageDecoder.read(write(new BufferedImage(cm, r, false, null), "png", "rgb16.png"));
        int[] expected = {0, 0, 1, 128, 255, 255};
        for (int x = 0; x < 6; x++) {
            assertEquals(expected[x], img.r(x, 0));
            assertEquals(255 - expected[x], img.g(x, 0));
        }
    }

    @Test
    void palettePngLooksUpColours() throws IOException {
        byte[] r = {(byte) 10, (byte) 200, (byte) 0, (byte) 255};
        byte[] g = {(byte) 20, (byte) 100, (byte) 0, (byte) 255};
        byte[] b = {(byte) 30, (byte) 50, (byte) 0, (byte) 0};
        IndexColorModel icm = new IndexColorModel(2, 4, r, g, b);
        BufferedImage bi = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, icm);
        bi.getRaster().setPixels(0, 0, 4, 1, new int[] {3, 2, 1, 0});
        RgbImage img = ImageDecoder.read(write(bi, "png", "palette.png"));
        assertEquals(0xFFFF00, img.rgb(0, 0));
        assertEquals(0x000000, img.rgb(1, 0));
        assertEquals(0xC86432, img.rgb(2, 0));
        assertEquals(0x0A141E, img.rgb(3, 0));
    }

    @Test
    void palettePngWithTransparencyIsCompositedOnWhite() throws IOException {
        byte[] r = {(byte) 0, (byte) 200, (byte) 40};
        byte[] g = {(byte) 0, (byte) 100, (byte) 80};
        byte[] b = {(byte) 0, (byte) 50, (byte) 120};
        byte[] a = {(byte) 0, (byte) 128, (byte) 255};
        IndexColorModel icm = new IndexColorModel(8, 3, r, g, b, a);
        BufferedImage bi = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, icm);
        bi.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 1, 2});
        RgbImage img = ImageDecoder.read(write(bi, "png", "palette-trns.png"));
        assertEquals(0xFFFFFF, img.rgb(0, 0)); // fully transparent black -> white (PIL: black)
        // a = 128: 200 -> round(200*128/255 + 127) = round(227.39) = 227; 100 -> 177; 50 -> 152
        assertEquals(227, img.r(1, 0));
        assertEquals(177, img.g(1, 0));
        assertEquals(152, img.b(1, 0));
        assertEquals(0x285078, img.rgb(2, 0));
    }

    @Test
    void rgbaPngIsCompositedOnWhite() throws IOException {
        BufferedImage bi = new BufferedImage(5, 1, BufferedImage.TYPE_INT_ARGB);
        bi.setRGB(0, 0, 0x00000000); // transparent black
        bi.setRGB(1, 0, 0x80000000); // half-transparent black
        bi.setRGB(2, 0, 0x80C86432); // half-transparent (200, 100, 50)
        bi.setRGB(3, 0, 0x01643200); // almost transparent (100, 50, 0)
        bi.setRGB(4, 0, 0xFF123456); // opaque
        RgbImage img = ImageDecoder.read(write(bi, "png", "rgba.png"));
        assertEquals(0xFFFFFF, img.rgb(0, 0));
        // out = round(a/255 * c + (1 - a/255) * 255); a = 128, c = 0: 127 (127.0)
        assertEquals(0x7F7F7F, img.rgb(1, 0));
        assertArrayEquals(new int[] {227, 177, 152}, rgbOf(img, 2, 0));
        // a = 1: c = 100 -> round(254.39) = 254, c = 50 -> round(254.196) = 254, c = 0 -> 254
        assertArrayEquals(new int[] {254, 254, 254}, rgbOf(img, 3, 0));
        assertEquals(0x123456, img.rgb(4, 0));
    }

    @Test
    void grayAlphaPngIsCompositedOnWhite() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY),
                true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(3, 1);
        r.setPixels(0, 0, 3, 1, new int[] {0, 0, 100, 51, 100, 255});
        RgbImage img = ImageDecoder.read(write(new BufferedImage(cm, r, false, null), "png", "la.png"));
        assertEquals(0xFFFFFF, img.rgb(0, 0));
        // a = 51 (0.2): 0.2 * 100 + 0.8 * 255 = 224 exactly
        assertEquals(0xE0E0E0, img.rgb(1, 0));
        assertEquals(0x646464, img.rgb(2, 0));
    }

    @Test
    void compositeRoundingIsRoundHalfUpOfTheExactValue() {
        for (int a = 0; a <= 255; a++) {
            for (int c = 0; c <= 255; c++) {
                double exact = a / 255.0 * c + (1 - a / 255.0) * 255;
                long expected = Math.round(exact);
                // never a tie: 255 * exact is an integer and 255 is odd
                assertTrue(Math.abs(exact - Math.floor(exact) - 0.5) > 1e-9);
                assertEquals(expected, ImageDecoder.compositeOnWhite(c, a), "c=" + c + " a=" + a);
            }
        }
        assertEquals(255, ImageDecoder.compositeOnWhite(0, 0));
        assertEquals(37, ImageDecoder.compositeOnWhite(37, 255));
    }

    @Test
    void premultipliedImagesAreUnpremultipliedFirst() {
        BufferedImage straight = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        straight.setRGB(0, 0, 0x80C86432);
        straight.setRGB(1, 0, 0xFF102030);
        BufferedImage pre = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB_PRE);
        pre.getGraphics().drawImage(straight, 0, 0, null);
        RgbImage img = ImageDecoder.toRgb(pre);
        // premultiplying loses a little precision; the result must stay within 1 of straight alpha
        int[] got = rgbOf(img, 0, 0);
        int[] want = {227, 177, 152};
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(got[c] - want[c]) <= 1, Arrays.toString(got));
        }
        assertEquals(0x102030, img.rgb(1, 0));
    }

    @Test
    void bgrAndSubimageRastersAreReadInBandOrder() {
        BufferedImage bi = new BufferedImage(4, 3, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                bi.setRGB(x, y, (x * 40) << 16 | (y * 50) << 8 | 7);
            }
        }
        RgbImage full = ImageDecoder.toRgb(bi);
        assertEquals(3 * 40 << 16 | 2 * 50 << 8 | 7, full.rgb(3, 2));
        RgbImage sub = ImageDecoder.toRgb(bi.getSubimage(1, 1, 2, 2));
        assertEquals(full.crop(1, 1, 2, 2), sub);
        assertEquals(full, ImageDecoder.toRgb(full.toBufferedImage()));
    }

    // ------------------------------------------------------------------ JPEG

    @Test
    void rgbJpegDecodes() throws IOException {
        BufferedImage bi = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                bi.setRGB(x, y, 0x3C8CDC);
            }
        }
        RgbImage img = ImageDecoder.read(write(bi, "jpg", "flat.jpg"));
        int[] got = rgbOf(img, 5, 5);
        int[] want = {0x3C, 0x8C, 0xDC};
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(got[c] - want[c]) <= 3, Arrays.toString(got));
        }
    }

    /** Stored (raw) JPEG components of the two flat 8x8 halves of the 16x8 test JPEG. */
    private static final int[] LEFT = {10, 200, 60, 30};
    private static final int[] RIGHT = {250, 5, 128, 100};

    @Test
    void cmykJpegWithoutAdobeMarkerMatchesPil() throws IOException {
        // Pillow 12.3 (which treats every CMYK JPEG as Adobe-inverted) gives these values.
        Path f = dir.resolve("cmyk-plain.jpg");
        Files.write(f, fourComponentJpeg(-1));
        RgbImage img = ImageDecoder.read(f);
        assertArrayEquals(new int[] {1, 24, 7}, rgbOf(img, 2, 3));
        assertArrayEquals(new int[] {98, 2, 50}, rgbOf(img, 12, 3));
    }

    @Test
    void adobeCmykJpegMatchesPil() throws IOException {
        Path f = dir.resolve("cmyk-adobe.jpg");
        Files.write(f, fourComponentJpeg(0));
        RgbImage img = ImageDecoder.read(f);
        assertArrayEquals(new int[] {1, 24, 7}, rgbOf(img, 0, 0));
        assertArrayEquals(new int[] {98, 2, 50}, rgbOf(img, 15, 7));
    }

    @Test
    void adobeYcckJpegMatchesPil() throws IOException {
        Path f = dir.resolve("ycck.jpg");
        Files.write(f, fourComponentJpeg(2));
        RgbImage img = ImageDecoder.read(f);
        // Pillow 12.3: CMYK (0, 34, 138, 225) and (250, 255, 32, 155) -> these RGB values.
        assertArrayEquals(new int[] {30, 26, 14}, rgbOf(img, 0, 0));
        assertArrayEquals(new int[] {2, 0, 87}, rgbOf(img, 15, 7));
    }

    @Test
    void rawRasterFallbackAgreesWithPil() throws IOException {
        // The path used where the JPEG reader refuses CMYK: the raw raster and the Adobe flag.
        int[][] expected = {{1, 24, 7, 98, 2, 50}, {1, 24, 7, 98, 2, 50}, {30, 26, 14, 2, 0, 87}};
        int[] transforms = {-1, 0, 2};
        for (int i = 0; i < 3; i++) {
            byte[] jpeg = fourComponentJpeg(transforms[i]);
            try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
                ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
                reader.setInput(iis);
                assertEquals(transforms[i], ImageDecoder.adobeTransform(reader.getImageMetadata(0)));
                Raster raw = reader.readRaster(0, null);
                assertArrayEquals(LEFT, raw.getPixel(0, 0, (int[]) null));
                RgbImage img = ImageDecoder.fromJpegRaster(raw, transforms[i]);
                assertArrayEquals(Arrays.copyOfRange(expected[i], 0, 3), rgbOf(img, 0, 0), "transform " + transforms[i]);
                assertArrayEquals(Arrays.copyOfRange(expected[i], 3, 6), rgbOf(img, 15, 0), "transform " + transforms[i]);
                reader.dispose();
            }
        }
    }

    @Test
    void cmykConversionIsPilsFormula() {
        // Pillow: Image.fromarray(cmyk, "CMYK").convert("RGB")
        assertEquals(216 << 16 | 49 << 8 | 172, ImageDecoder.cmykToRgb(10, 200, 60, 30));
        assertEquals(3 << 16 | 152 << 8 | 77, ImageDecoder.cmykToRgb(250, 5, 128, 100));
        assertEquals(0xFFFFFF, ImageDecoder.cmykToRgb(0, 0, 0, 0));
        assertEquals(0x000000, ImageDecoder.cmykToRgb(0, 0, 0, 255));
        assertEquals(0x00FFFF, ImageDecoder.cmykToRgb(255, 0, 0, 0));
        // libjpeg YCbCr -> RGB: neutral chroma keeps Y
        assertEquals(0x7F7F7F, ImageDecoder.ycbcrToRgb(127, 128, 128));
    }

    // ------------------------------------------------------------------ errors

    @Test
    void zeroByteFileIsReported() throws IOException {
        Path f = dir.resolve("empty.png");
        Files.write(f, new byte[0]);
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void textFileNamedPngIsReported() throws IOException {
        Path f = dir.resolve("notes.png");
        Files.writeString(f, "this is not an image\n");
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not an image"), e.getMessage());
    }

    @Test
    void missingFileIsReported() {
        Path f = dir.resolve("missing.jpg");
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void truncatedPngIsReported() throws IOException {
        BufferedImage bi = noise(64, 64);
        byte[] full = Files.readAllBytes(write(bi, "png", "full.png"));
        Path f = dir.resolve("cut.png");
        Files.write(f, Arrays.copyOf(full, full.length / 2));
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedJpegIsReported() throws IOException {
        byte[] full = Files.readAllBytes(write(noise(64, 64), "jpg", "full.jpg"));
        Path f = dir.resolve("cut.jpg");
        Files.write(f, Arrays.copyOf(full, full.length / 2));
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void streamVariantNamesTheSource() throws IOException {
        byte[] png = Files.readAllBytes(write(noise(5, 4), "png", "n.png"));
        assertEquals(ImageDecoder.toRgb(noise(5, 4)),
                ImageDecoder.read(new ByteArrayInputStream(png), "zip:/a/b.png"));
        IOException e = assertThrows(IOException.class,
                () -> ImageDecoder.read(new ByteArrayInputStream("hello".getBytes(StandardCharsets.US_ASCII)), "zip:/a/c.png"));
        assertTrue(e.getMessage().startsWith("zip:/a/c.png: "), e.getMessage());
        IOException empty = assertThrows(IOException.class,
                () -> ImageDecoder.read(new ByteArrayInputStream(new byte[0]), "zip:/a/d.png"));
        assertTrue(empty.getMessage().contains("zip:/a/d.png"), empty.getMessage());
    }

    @Test
    void corruptWebpNamesFileAndFormat() throws IOException {
        Path f = dir.resolve("x.webp");
        byte[] head = "RIFF\u0024\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(f, Arrays.copyOf(head, 64));
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("webp"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private Path write(BufferedImage bi, String format, String name) throws IOException {
        Path f = dir.resolve(name);
        ImageWriter w = ImageIO.getImageWritersByFormatName(format).next();
        try (ImageOutputStream os = ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(os);
            ImageWriteParam p = w.getDefaultWriteParam();
            if (format.equals("jpg")) {
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(0.95f);
            }
            w.write(null, new IIOImage(bi, null, null), p);
        } finally {
            w.dispose();
        }
        return f;
    }

    private static int bitDepthOfPng(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        return b[24]; // IHDR: 8 signature + 4 length + 4 type + 4 width + 4 height, then bit depth
    }

    /**
     * A 16x8 four-component JPEG, left half {@link #LEFT} and right half {@link #RIGHT} as stored
     * component values (flat 8x8 blocks at quality 1.0 survive the DCT exactly), written by the JDK
     * from a raw raster; for {@code adobeTransform >= 0} an APP14 "Adobe" segment with that
     * transform flag (0 = CMYK, 2 = YCCK) is inserted right after SOI.
     */
    static byte[] fourComponentJpeg(int adobeTransform) throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 8, 4, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                r.setPixel(x, y, x < 8 ? LEFT : RIGHT);
            }
        }
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ImageOutputStream os = ImageIO.createImageOutputStream(bos)) {
            w.setOutput(os);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(1f);
            w.write(null, new IIOImage(r, null, null), p);
        } finally {
            w.dispose();
        }
        byte[] jpeg = bos.toByteArray();
        assertEquals((byte) 0xFF, jpeg[0]);
        assertEquals((byte) 0xD8, jpeg[1]);
        if (adobeTransform < 0) {
            return jpeg;
        }
        byte[] app14 = {
            (byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e',
            0, 100, 0, 0, 0, 0, (byte) adobeTransform,
        };
        byte[] out = new byte[jpeg.length + app14.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(app14, 0, out, 2, app14.length);
        System.arraycopy(jpeg, 2, out, 2 + app14.length, jpeg.length - 2);
        return out;
    }

    static BufferedImage noise(int w, int h) {
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        long s = 12345;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                s = (s * 1103515245L + 12345L) & 0x7fffffffL;
                bi.setRGB(x, y, (int) (s & 0xFFFFFF));
            }
        }
        return bi;
    }

    private static int[] rgbOf(RgbImage img, int x, int y) {
        return new int[] {img.r(x, y), img.g(x, y), img.b(x, y)};
    }
}
