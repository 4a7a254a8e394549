package clipbench.cli;

import clipbench.clip.image.ClipTransform;
import clipbench.clip.image.ImageDecoder;
import clipbench.clip.image.Npy;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code clipbench preprocess IMAGE --size N --out X.npy}: OpenAI CLIP's transform, as float32 CHW. */
@Command(name = "preprocess", description = "Apply OpenAI CLIP's image transform and write a float32 CHW .npy.")
final class PreprocessCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE")
    Path image;

    @Option(names = "--size", defaultValue = "224", description = "Output size (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--out", required = true, paramLabel = "X.npy")
    Path out;

    @Override
    public Integer call() throws Exception {
        float[] chw = ClipTransform.openaiClip(size).apply(ImageDecoder.read(image));
        Npy.write(out, chw, 3, size, size);
        System.out.println(out);
        return 0;
    }
}
