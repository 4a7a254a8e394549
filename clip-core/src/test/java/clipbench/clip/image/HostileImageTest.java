package clipbench.clip.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clipbench.api.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files a hostile or careless dataset holds: bombs, absurd aspect ratios, odd names, WebP and TIFF. */
class HostileImageTest {
    @TempDir
    Path dir;

    @Test
    void decompressionBombIsRefusedFromItsHeaderQuickly() throws IOException {
        // A valid 20000 x 20000 PNG (400 M pixels, 1.2 GB as RGB) of about 60 KB.
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, blackPng(20_000, 20_000));
        assertTrue(Files.size(bomb) < 200_000, "size " + Files.size(bomb));
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(IOException.class, () -> ImageDecoder.read(bomb)));
        String m = e.getMessage();
        assertTrue(m.startsWith(bomb + ": "), m);
        assertTrue(m.contains("20000x20000"), m);
        assertTrue(m.contains("400,000,000 pixels"), m);
        assertTrue(m.contains("178,956,970") && m.contains(PixelLimit.PROPERTY), m);
    }

    @Test
    void limitIsAnOptionOfTheDecoderAndASystemProperty() throws IOException {
        Path png = dir.resolve("40x30.png");
        Files.write(png, blackPng(40, 30));
        assertEquals(40, new ImageDecoder(1200).decode(png).width());
        IOException e = assertThrows(IOException.class, () -> new ImageDecoder(1199).decode(png));
        assertTrue(e.getMessage().contains("1,200 pixels, above the limit of 1,199"), e.getMessage());

        assertEquals(PixelLimit.DEFAULT, ImageDecoder.configured().maxPixels());
        System.setProperty(PixelLimit.PROPERTY, "1_000");
        try {
            assertThrows(IOException.class, () -> ImageDecoder.read(png));
            System.setProperty(PixelLimit.PROPERTY, "lots");
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, PixelLimit::configured);
            assertTrue(bad.getMessage().contains(PixelLimit.PROPERTY), bad.getMessage());
        } finally {
            System.clearProperty(PixelLimit.PROPERTY);
        }
        assertEquals(30, ImageDecoder.read(png).height());
    }

    @Test
    void resizingAThinStripAboveTheLimitNamesTheAspectRatio() {
        RgbImage strip = new RgbImage(1, 20_000, new byte[3 * 20_000]);
        int[] wh = ClipTransform.resizedSize(1, 20_000, 224);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipTransform.openaiClip(224).resizeAndCrop(strip));
        String m = e.getMessage();
        assertTrue(m.contains("cannot resize 1x20000 (aspect ratio 20000:1): " + wh[0] + "x" + wh[1] + " is "), m);
        assertTrue(m.contains(PixelLimit.PROPERTY), m);

        // A limit lowered against large files never refuses resizing a small image to the model's size.
        System.setProperty(PixelLimit.PROPERTY, "100");
        try {
            assertEquals(224, ClipTransform.openaiClip(224).resizeAndCrop(new RgbImage(4, 3, new byte[36])).width());
        } finally {
            System.clearProperty(PixelLimit.PROPERTY);
        }
        assertEquals("1.33:1", PixelLimit.aspectRatio(4, 3));
    }

    @Test
    void fileNameThatIsNotValidUtf8IsRead() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh to create the name from raw bytes");
        Path png = dir.resolve("ok.png");
        Files.write(png, blackPng(5, 4));
        // \351 is Latin-1 e-acute: a name written by an old camera or a Windows zip, invalid as UTF-8.
        Process p = new ProcessBuilder("/bin/sh", "-c", "cp ok.png \"$(printf 'caf\\351.png')\"")
                .directory(dir.toFile()).inheritIO().start();
        assertEquals(0, p.waitFor());
        Path odd = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().startsWith("caf")) {
                    odd = entry;
                }
            }
        }
        assertTrue(odd != null && Files.isRegularFile(odd), "listing returned " + odd);
        RgbImage image = ImageDecoder.read(odd);
        assertEquals(5, image.width());
        assertEquals(4, image.height());
    }

    @Test
    void losslessWebpIsReadExactly() throws IOException {
        // 4x3, made with cwebp -lossless -exact from pixel (x, y) = ((60x + 10), (100y + 20), (40xy + 5)) mod 256.
        RgbImage image = ImageDecoder.read(resource("lossless-4x3.webp"), "lossless-4x3.webp");
        assertEquals(4, image.width());
        assertEquals(3, image.height());
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                int expected = ((60 * x + 10) % 256) << 16 | ((100 * y + 20) % 256) << 8 | ((40 * x * y + 5) % 256);
                assertEquals(expected, image.rgb(x, y), "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void lossyWebpFileIsRead() throws IOException {
        Path f = dir.resolve("lossy.webp");
        Files.write(f, resource("lossy-4x3.webp"));
        RgbImage image = ImageDecoder.read(f);
        assertEquals(4, image.width());
        assertEquals(3, image.height());
    }

    @Test
    void tiffWrittenByImageIoIsReadExactly() throws IOException {
        BufferedImage bi = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] colors = {0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0x123456, 0xFFFFFF};
        for (int i = 0; i < colors.length; i++) {
            bi.setRGB(i % 3, i / 3, colors[i]);
        }
        Path f = dir.resolve("x.tif");
        assertTrue(ImageIO.write(bi, "tiff", f.toFile()));
        RgbImage image = ImageDecoder.read(f);
        int[] got = new int[colors.length];
        for (int i = 0; i < colors.length; i++) {
            got[i] = image.rgb(i % 3, i / 3);
        }
        assertArrayEquals(colors, got);
    }

    @Test
    void fileExtensionsCoverWebpAndTiff() {
        assertEquals(List.of("bmp", "gif", "jpeg", "jpg", "png", "tif", "tiff", "webp"), ImageDecoder.fileExtensions());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = HostileImageTest.class.getResourceAsStream("/images/" + name)) {
            assertTrue(in != null, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    /** A valid black 1-bit grayscale PNG, its rows deflated as they are made (so a huge one costs little memory). */
    static byte[] blackPng(int width, int height) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[1 + (width + 7) / 8]; // filter byte 0, then zero bits
        try (OutputStream z = new DeflaterOutputStream(idat)) {
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(width);
        d.writeInt(height);
        d.write(new byte[] {1, 0, 0, 0, 0}); // bit depth 1, grayscale, deflate, filter 0, no interlace
        chunk(png, "IHDR", ihdr.toByteArray());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(png);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
