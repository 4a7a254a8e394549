package clipbench.cli;

import clipbench.api.image.RgbImage;
import clipbench.api.io.AtomicFiles;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import clipbench.clip.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code clipbench upsample IMAGE --upsampler ID --size N --out OUT.png}: what an upsampler makes of an image, i.e.
 * what a backbone of input side N receives before its own transform. The upsampler is made (and its package found,
 * its networks opened) before the image is read; the PNG is written by one rename.
 */
@Command(name = "upsample", description = "Write what an upsampler makes of an image (what the backbone receives"
        + " before its own transform) as a PNG.")
final class UpsampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE")
    Path image;

    @Option(names = "--upsampler", required = true, paramLabel = "ID[:ARG]",
            description = "e.g. bicubic, nearest, esrgan-slim, esrgan-slim:x4@djl, sr-model:DIR.")
    String upsampler;

    @Option(names = "--size", defaultValue = "224", description = "Target shortest side (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--out", required = true, paramLabel = "OUT.png")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "Threads of a network upsampler (0 = runtime default).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws Exception {
        if (size < 1) {
            throw new IllegalArgumentException("--size must be positive, got " + size);
        }
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("--out " + out + ": must be a .png file");
        }
        if (!Files.isRegularFile(image)) {
            throw new IOException(image + ": no such image file");
        }
        Upsampler up = Plugins.createUpsampler(upsampler, new BackendOptions(threads, Device.parse(device)));
        try {
            RgbImage in = ImageDecoder.read(image);
            long t0 = System.nanoTime();
            RgbImage result = up.upsample(in, size);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String name = up.name(upsampler, OptionalInt.of(Math.min(in.width(), in.height())), size);
            AtomicFiles.writeBytes(out, o -> {
                if (!ImageIO.write(result.toBufferedImage(), "png", o)) {
                    throw new IOException(out + ": no PNG writer");
                }
            });
            System.out.printf(Locale.ROOT, "%s: %dx%d -> %dx%d by %s, upsample_seconds %.4f%n", out, in.width(),
                    in.height(), result.width(), result.height(), name, seconds);
        } finally {
            if (up instanceof AutoCloseable c) {
                c.close();
            }
        }
        return 0;
    }
}
