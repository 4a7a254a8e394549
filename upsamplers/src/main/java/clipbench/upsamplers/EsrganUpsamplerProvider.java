package clipbench.upsamplers;

import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import clipbench.api.spi.UpsamplerProvider;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code esrgan-slim[:[xN][@BACKEND]]} (and {@code esrgan-medium}, {@code esrgan-thick}): UpscalerJS's pretrained
 * ESRGAN-family networks, found in the installed npm package {@code @upscalerjs/NAME} ({@link UpscalerJsPackage}),
 * each {@code models/x<N>} imported once into the model cache, run as {@code sr-model} runs a model directory
 * (value range from the card, tiled by its {@code image_size}, clipped and rounded as UpscalerJS does) on
 * {@code BACKEND} (default {@code onnx}, as {@code sr-model}) with the run's threads. Which scale runs:
 * {@link EsrganUpsampler}.
 */
public abstract class EsrganUpsamplerProvider implements UpsamplerProvider {
    private static final Pattern ARGUMENT = Pattern.compile("(?:x([0-9]+))?(?:@([A-Za-z0-9_.-]+))?");
    private final String network;
    private final String what;

    protected EsrganUpsamplerProvider(String network, String what) {
        this.network = network;
        this.what = what;
    }

    @Override
    public String id() {
        return network;
    }

    @Override
    public String description() {
        return "UpscalerJS " + what + " (npm @upscalerjs/" + network + "): " + network + "[:xN][@backend];"
                + " per image the smallest scale reaching the target, then PIL bicubic to the exact size";
    }

    @Override
    public Upsampler create(String argument) throws IOException {
        return create(argument, BackendOptions.defaults());
    }

    /**
     * @throws java.nio.file.NoSuchFileException naming the package and its install command when it is missing
     * @throws IllegalArgumentException         for a bad argument, an unknown backend or a scale the package lacks
     */
    @Override
    public Upsampler create(String argument, BackendOptions options) throws IOException {
        Matcher m = ARGUMENT.matcher(argument == null ? "" : argument.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("upsampler " + network + ": argument '" + argument + "' is not"
                    + " [xN][@BACKEND], e.g. " + network + ", " + network + ":x4 or " + network + ":@djl");
        }
        String backend = m.group(2) != null ? m.group(2) : SrModelUpsamplerProvider.DEFAULT_BACKEND;
        Plugins.backend(backend); // an unknown backend fails here, before any import
        UpscalerJsPackage pkg = UpscalerJsPackage.locate(network);
        Integer fixed = m.group(1) != null ? Integer.valueOf(m.group(1)) : null;
        if (fixed != null && !pkg.scales().contains(fixed)) {
            throw new IllegalArgumentException("upsampler " + network + ": @upscalerjs/" + network + " has no x"
                    + fixed + "; it has " + pkg.scales().stream().map(s -> "x" + s).toList());
        }
        List<Integer> scales = fixed != null ? List.of(fixed) : pkg.scales();
        Map<Integer, SrModelUpsampler> opened = new LinkedHashMap<>();
        SrModelUpsamplerProvider sr = new SrModelUpsamplerProvider();
        try {
            for (int s : scales) {
                String dir = pkg.imported(s).toString();
                opened.put(s, (SrModelUpsampler) sr.create(dir + "@" + backend, options));
            }
            return new EsrganUpsampler(network, backend, fixed, opened);
        } catch (IOException | RuntimeException e) {
            opened.values().forEach(SrModelUpsampler::close);
            throw e;
        }
    }

    /** {@code @upscalerjs/esrgan-slim}: RDN, 4 MB. */
    public static final class Slim extends EsrganUpsamplerProvider {
        public Slim() {
            super("esrgan-slim", "ESRGAN slim (RDN, DIV2K)");
        }
    }

    /** {@code @upscalerjs/esrgan-medium}: RDN, wider, 11 MB. */
    public static final class Medium extends EsrganUpsamplerProvider {
        public Medium() {
            super("esrgan-medium", "ESRGAN medium (RDN, DIV2K)");
        }
    }

    /** {@code @upscalerjs/esrgan-thick}: RRDN (ESRGAN's residual-in-residual dense blocks), 110 MB. */
    public static final class Thick extends EsrganUpsamplerProvider {
        public Thick() {
            super("esrgan-thick", "ESRGAN thick (RRDN)");
        }
    }
}
