package clipbench.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Device;
import clipbench.api.spi.Embeddings;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * A CLIP model run by DJL's PyTorch engine from TorchScript: either the towers {@code torchscript.image}
 * ({@code visual.pt}: float32 {@code [n, 3, s, s]} to {@code [n, d]}) and optional {@code torchscript.text}
 * ({@code textual.pt}: int64 {@code [n, context]} to {@code [n, d]}), or one {@code torchscript.model} whose
 * exported {@code encode_image} / {@code encode_text} methods do the same (OpenAI's {@code clip.load(jit=True)},
 * or {@code torch.jit.script} of a module with {@code @torch.jit.export} methods).
 */
public final class DjlBackbone implements Backbone {
    static final String ENCODE_IMAGE = "encode_image";
    static final String ENCODE_TEXT = "encode_text";

    private final ModelCard card;
    private final TorchModule image;
    private final String imageMethod;
    /** Null without a text tower; may be {@link #image} (one module with both methods). */
    private final TorchModule text;
    private final String textMethod;
    private final int contextLength;
    private final int dim;
    private final Set<Capability> capabilities;
    /** A Keras model ({@link KerasBackbone#handles}) that this backbone runs instead of TorchScript; else null. */
    private final KerasBackbone keras;

    private DjlBackbone(KerasBackbone keras) {
        this.card = keras.card();
        this.image = null;
        this.imageMethod = null;
        this.text = null;
        this.textMethod = null;
        this.contextLength = 0;
        this.dim = keras.embeddingDim();
        this.capabilities = keras.capabilities();
        this.keras = keras;
    }

    private DjlBackbone(ModelCard card, TorchModule image, String imageMethod, TorchModule text, String textMethod)
            throws IOException {
        this.card = card;
        this.image = image;
        this.imageMethod = imageMethod;
        this.text = text;
        this.textMethod = textMethod;
        this.keras = null;
        this.contextLength = card.contextLength();
        this.dim = trialDim();
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        if (text != null) {
            caps.add(Capability.TEXT_TOWER);
        }
        if (image.device.isGpu()) {
            caps.add(Capability.GPU);
        }
        this.capabilities = Set.copyOf(caps);
    }

    static DjlBackbone open(ModelCard card, BackendOptions options) throws IOException {
        if (KerasBackbone.handles(card)) {
            return new DjlBackbone(KerasBackbone.open(card, options));
        }
        String format = DjlBackboneProvider.FORMAT;
        Path imageFile = card.artifact(format, "image").orElse(null);
        Path modelFile = card.artifact(format, "model").orElse(null);
        if (imageFile == null && modelFile == null) {
            card.requireArtifact(format, "image"); // throws, naming the card and what it has
        }
        Path textFile = imageFile == null ? null : card.artifact(format, "text").orElse(null);
        TorchModule.requireFile(imageFile != null ? imageFile : modelFile, "TorchScript file");
        if (textFile != null) {
            TorchModule.requireFile(textFile, "TorchScript file");
        }
        Device requested = options.device();
        ai.djl.Device device = DjlRuntime.device(requested);
        try {
            return open(card, options, device, imageFile, textFile, modelFile);
        } catch (IOException | RuntimeException e) {
            if (requested != Device.AUTO || !device.isGpu()) {
                throw e;
            }
            // AUTO: a model that cannot run on the GPU still runs on the CPU
            return open(card, options, ai.djl.Device.cpu(), imageFile, textFile, modelFile);
        }
    }

    private static DjlBackbone open(ModelCard card, BackendOptions options, ai.djl.Device device, Path imageFile,
                                    Path textFile, Path modelFile) throws IOException {
        int threads = options.intraOpThreads();
        if (imageFile == null) {
            TorchModule clip = TorchModule.load(modelFile, device, threads);
            try {
                if (!clip.has(ENCODE_IMAGE)) {
                    throw new IOException(modelFile + ": the TorchScript module has no '" + ENCODE_IMAGE
                            + "' method (it has " + clip.methods() + "); export it (torch.jit.export, or trace_module"
                            + " with an encode_image example) or list the towers as torchscript.image / .text");
                }
                boolean hasText = clip.has(ENCODE_TEXT) && card.contextLength() > 0;
                return new DjlBackbone(card, clip, ENCODE_IMAGE, hasText ? clip : null, ENCODE_TEXT);
            } catch (IOException | RuntimeException e) {
                clip.close();
                throw e;
            }
        }
        TorchModule image = TorchModule.load(imageFile, device, threads);
        TorchModule text = null;
        try {
            if (textFile != null && card.contextLength() > 0) {
                text = TorchModule.load(textFile, device, threads);
            }
            return new DjlBackbone(card, image, TorchModule.FORWARD, text, TorchModule.FORWARD);
        } catch (IOException | RuntimeException e) {
            image.close();
            if (text != null) {
                text.close();
            }
            throw e;
        }
    }

    /**
     * Runs one blank image (and one blank token row) to find the embedding length and check it against the
     * card: TorchScript declares no shapes, so this is where a wrong file or size is found, naming the file.
     */
    private int trialDim() throws IOException {
        int size = card.preprocess().imageSize();
        int found;
        try {
            found = embedImagesUnchecked(new ImageBatch(1, size, new float[ImageBatch.CHANNELS * size * size]))[0].length;
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage() + " (the model card says image_size " + size + ")", e);
        }
        if (card.embedDim() > 0 && found != card.embedDim()) {
            throw new IOException(image.file + ": '" + imageMethod + "' gives " + found
                    + " values per image, but the model card says embed_dim " + card.embedDim());
        }
        if (text != null) {
            int[] blank = new int[contextLength];
            int textDim;
            try {
                textDim = embedTokensUnchecked(new int[][] {blank})[0].length;
            } catch (IllegalStateException e) {
                throw new IOException(e.getMessage() + " (the model card says context_length " + contextLength + ")", e);
            }
            if (textDim != found) {
                throw new IOException(text.file + ": '" + textMethod + "' gives " + textDim + " values per text, but "
                        + image.file.getFileName() + " gives " + found + " per image");
            }
        }
        return found;
    }

    @Override
    public ModelCard card() {
        return card;
    }

    @Override
    public int embeddingDim() {
        return dim;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public float[][] embedImages(ImageBatch batch) {
        if (keras != null) {
            return keras.embedImages(batch);
        }
        return checked(image, embedImagesUnchecked(batch));
    }

    private float[][] embedImagesUnchecked(ImageBatch batch) {
        int n = batch.count();
        Shape shape = new Shape(n, ImageBatch.CHANNELS, batch.size(), batch.size());
        return image.run(imageMethod, FloatBuffer.wrap(batch.data()), shape, DataType.FLOAT32,
                out -> rows(image, imageMethod, out, n));
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        if (keras != null) {
            return keras.embedTokens(tokenIds);
        }
        if (text == null) {
            throw new UnsupportedOperationException(card.directory() + ": the model card lists no TorchScript text"
                    + " tower" + (image.has(ENCODE_TEXT) ? " (or context_length 0)" : "")
                    + ", so this model cannot embed text");
        }
        if (tokenIds.length == 0) {
            return new float[0][];
        }
        return checked(text, embedTokensUnchecked(tokenIds));
    }

    private float[][] embedTokensUnchecked(int[][] tokenIds) {
        int n = tokenIds.length;
        long[] ids = new long[n * contextLength];
        for (int i = 0; i < n; i++) {
            if (tokenIds[i].length != contextLength) {
                throw new IllegalArgumentException(text.file + ": token row " + i + " has " + tokenIds[i].length
                        + " ids, the model card says context_length " + contextLength);
            }
            for (int j = 0; j < contextLength; j++) {
                ids[i * contextLength + j] = tokenIds[i][j];
            }
        }
        return text.run(textMethod, LongBuffer.wrap(ids), new Shape(n, contextLength), DataType.INT64,
                out -> rows(text, textMethod, out, n));
    }

    /** A float {@code [n, d]} output as rows (half precision outputs are widened). */
    private static float[][] rows(TorchModule module, String method, NDArray out, int n) {
        Shape shape = out.getShape();
        if (shape.dimension() != 2 || shape.get(0) != n) {
            throw new IllegalStateException(module.file + ": '" + method + "' returned a " + out.getDataType() + " "
                    + TorchModule.dims(shape) + " tensor for " + n + " inputs, expected [" + n + ", embed_dim]");
        }
        float[] flat = (out.getDataType() == DataType.FLOAT32 ? out : out.toType(DataType.FLOAT32, false))
                .toFloatArray();
        int d = (int) shape.get(1);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return rows;
    }

    private float[][] checked(TorchModule module, float[][] rows) {
        return Embeddings.requireWidth(rows, dim, module.file + ": output");
    }

    /** Native arrays still held by the modules (for leak tests). */
    int liveArrays() {
        if (keras != null) {
            return keras.liveArrays();
        }
        return image.liveArrays() + (text == null || text == image ? 0 : text.liveArrays());
    }

    @Override
    public void close() {
        if (keras != null) {
            keras.close();
            return;
        }
        try {
            if (text != null && text != image) {
                text.close();
            }
        } finally {
            image.close();
        }
    }
}
