package clipbench.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Device;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TwoTowerBackbone;
import clipbench.checkpoint.ClipCheckpoint;
import clipbench.checkpoint.ClipCheckpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A CLIP model run by DJL's PyTorch engine from TorchScript: either the towers {@code torchscript.image}
 * ({@code visual.pt}: float32 {@code [n, 3, s, s]} to {@code [n, d]}) and optional {@code torchscript.text}
 * ({@code textual.pt}: int64 {@code [n, context]} to {@code [n, d]}), or one {@code torchscript.model} whose
 * exported {@code encode_image} / {@code encode_text} methods do the same (OpenAI's {@code clip.load(jit=True)},
 * or {@code torch.jit.script} of a module with {@code @torch.jit.export} methods).
 *
 * <p>Or CLIP built from a safetensors checkpoint with libtorch operations ({@link ClipNet}), no export needed: see
 * {@link #checkpoint} for when.
 */
public final class DjlBackbone extends TwoTowerBackbone {
    static final String ENCODE_IMAGE = "encode_image";
    static final String ENCODE_TEXT = "encode_text";

    /** Null when {@link #keras} runs the model. */
    private final TorchModule image;
    /** Null without a text tower; may be {@link #image} (one module with both methods). */
    private final TorchModule text;
    /** A Keras model ({@link KerasBackbone#handles}) that this backbone runs instead of TorchScript; else null. */
    private final KerasBackbone keras;
    /** CLIP built from the card's checkpoint that this backbone runs instead of TorchScript; else null. */
    private final ClipNet net;

    private DjlBackbone(KerasBackbone keras) {
        super(keras.card(), new KerasTower(keras), null, keras.embeddingDim(),
                keras.capabilities().contains(Capability.GPU), Set.of(Capability.FINE_TUNE));
        this.image = null;
        this.text = null;
        this.keras = keras;
        this.net = null;
    }

    /** The card's {@code embed_dim}, when it gives one, must be the checkpoint's (the error names both). */
    private DjlBackbone(ModelCard card, ClipNet net, NetImageTower image, NetTextTower text) throws IOException {
        super(card, image, text, embeddingDim(card, image, text), net.device.isGpu(), Set.of(Capability.FINE_TUNE));
        this.image = null;
        this.text = null;
        this.keras = null;
        this.net = net;
    }

    private DjlBackbone(ModelCard card, ImageTower image, TextTower text) throws IOException {
        super(card, image, text, trialDim(card, image, text), image.module.device.isGpu());
        this.image = image.module;
        this.text = text == null ? null : text.module;
        this.keras = null;
        this.net = null;
    }

    /**
     * The checkpoint that CLIP is built from for {@code card}, empty when TorchScript runs: the card's
     * {@code artifacts.safetensors.checkpoint} when it lists no TorchScript artifacts, or a {@code torchscript}
     * {@code image} (or {@code model}) role naming a {@code .safetensors} file (as backend-tensorflow's
     * {@code savedmodel} roles may). A TorchScript export, when listed, wins over the checkpoint: it is what the
     * user made for this runtime; a card may point its {@code torchscript.image} at the checkpoint to build it instead.
     */
    static Optional<Path> checkpoint(ModelCard card) {
        Map<String, String> roles = card.artifacts().get(DjlBackboneProvider.FORMAT);
        if (roles == null) {
            return ClipCheckpoints.file(card);
        }
        Optional<Path> tower = card.artifact(DjlBackboneProvider.FORMAT, roles.containsKey("image") ? "image" : "model");
        return tower.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors"));
    }

    /**
     * Whether a checkpoint-built backbone of {@code card} has a text tower: a context length, and no TorchScript
     * {@code image} role without a {@code text} role (as for TorchScript towers).
     */
    private static boolean wantsText(ModelCard card) {
        Map<String, String> roles = card.artifacts().get(DjlBackboneProvider.FORMAT);
        return card.contextLength() > 0 && (roles == null || !roles.containsKey("image") || roles.containsKey("text"));
    }

    static DjlBackbone open(ModelCard card, BackendOptions options) throws IOException {
        if (KerasBackbone.handles(card)) {
            return new DjlBackbone(KerasBackbone.open(card, options));
        }
        Optional<Path> checkpoint = checkpoint(card);
        if (checkpoint.isPresent()) {
            return openCheckpoint(card, checkpoint.get(), options);
        }
        String format = DjlBackboneProvider.FORMAT;
        Path imageFile = card.artifact(format, "image").orElse(null);
        Path modelFile = card.artifact(format, "model").orElse(null);
        if (imageFile == null && modelFile == null) {
            try {
                card.requireArtifact(format, "image"); // throws, naming the card and what it has
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + "; or list a CLIP checkpoint as "
                        + ClipCheckpoints.FORMAT + "." + ClipCheckpoints.ROLE + " to build it without TorchScript", e);
            }
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

    /**
     * CLIP built from the card's checkpoint ({@link ClipCheckpoints#open}: the card's image size and context length
     * are checked against it), with the text tower when the card has a context length and the checkpoint a text
     * tower. One blank image is run, so a checkpoint libtorch cannot evaluate fails here, naming it.
     */
    private static DjlBackbone openCheckpoint(ModelCard card, Path file, BackendOptions options) throws IOException {
        ClipCheckpoint checkpoint = ClipCheckpoints.open(card, file);
        boolean withText = wantsText(card) && checkpoint.architecture().text() != null;
        Device requested = options.device();
        ai.djl.Device device = DjlRuntime.device(requested);
        try {
            return openCheckpoint(card, checkpoint, withText, device, options.intraOpThreads());
        } catch (IOException | RuntimeException e) {
            if (requested != Device.AUTO || !device.isGpu()) {
                throw e;
            }
            return openCheckpoint(card, checkpoint, withText, ai.djl.Device.cpu(), options.intraOpThreads());
        }
    }

    private static DjlBackbone openCheckpoint(ModelCard card, ClipCheckpoint checkpoint, boolean withText,
                                              ai.djl.Device device, int threads) throws IOException {
        ClipNet net;
        try {
            net = ClipNet.build(checkpoint.weights(), checkpoint.architecture(), withText, device, threads);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        try {
            DjlBackbone backbone = new DjlBackbone(card, net, new NetImageTower(net),
                    net.hasText() ? new NetTextTower(net) : null);
            backbone.embedImages(blankImage(card));
            return backbone;
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
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
                return new DjlBackbone(card, new ImageTower(clip, ENCODE_IMAGE),
                        hasText ? new TextTower(clip, ENCODE_TEXT, card.contextLength()) : null);
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
            return new DjlBackbone(card, new ImageTower(image, TorchModule.FORWARD),
                    text == null ? null : new TextTower(text, TorchModule.FORWARD, card.contextLength()));
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
    private static int trialDim(ModelCard card, ImageTower image, TextTower text) throws IOException {
        int size = card.preprocess().imageSize();
        int found;
        try {
            found = image.embed(blankImage(card))[0].length;
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage() + " (the model card says image_size " + size + ")", e);
        }
        if (card.embedDim() > 0 && found != card.embedDim()) {
            throw new IOException(image.module.file + ": '" + image.method + "' gives " + found
                    + " values per image, but the model card says embed_dim " + card.embedDim());
        }
        if (text != null) {
            int textDim;
            try {
                textDim = text.embed(new int[][] {new int[text.contextLength]})[0].length;
            } catch (IllegalStateException e) {
                throw new IOException(e.getMessage() + " (the model card says context_length " + text.contextLength
                        + ")", e);
            }
            if (textDim != found) {
                throw new IOException(text.module.file + ": '" + text.method + "' gives " + textDim
                        + " values per text, but " + image.module.file.getFileName() + " gives " + found + " per image");
            }
        }
        return found;
    }

    /** A TorchScript method from float {@code [n, 3, s, s]} images to {@code [n, d]}. */
    private record ImageTower(TorchModule module, String method) implements Tower<ImageBatch> {
        @Override
        public String source() {
            return module.file + ": output";
        }

        @Override
        public long declaredDim() {
            return -1; // TorchScript declares no shapes
        }

        @Override
        public float[][] embed(ImageBatch batch) {
            int n = batch.count();
            Shape shape = new Shape(n, ImageBatch.CHANNELS, batch.size(), batch.size());
            return module.run(method, DirectInput.current().of(batch.data()), shape, DataType.FLOAT32,
                    out -> rows(module, method, out, n));
        }
    }

    /** A TorchScript method from int64 {@code [n, context]} token ids to {@code [n, d]}. */
    private record TextTower(TorchModule module, String method, int contextLength) implements Tower<int[][]> {
        @Override
        public String source() {
            return module.file + ": output";
        }

        @Override
        public long declaredDim() {
            return -1;
        }

        @Override
        public float[][] embed(int[][] tokenIds) {
            int n = tokenIds.length;
            if (n == 0) {
                return new float[0][];
            }
            long[] ids = new long[n * contextLength];
            for (int i = 0; i < n; i++) {
                if (tokenIds[i].length != contextLength) {
                    throw new IllegalArgumentException(module.file + ": token row " + i + " has " + tokenIds[i].length
                            + " ids, the model card says context_length " + contextLength);
                }
                for (int j = 0; j < contextLength; j++) {
                    ids[i * contextLength + j] = tokenIds[i][j];
                }
            }
            return module.run(method, DirectInput.current().of(ids), new Shape(n, contextLength), DataType.INT64,
                    out -> rows(module, method, out, n));
        }
    }

    /** A Keras model run by {@link KerasNet}, as the image tower. */
    private record KerasTower(KerasBackbone keras) implements Tower<ImageBatch> {
        @Override
        public String source() {
            return keras.card().directory() + ": keras output";
        }

        @Override
        public long declaredDim() {
            return keras.embeddingDim();
        }

        @Override
        public float[][] embed(ImageBatch batch) {
            return keras.embedImages(batch);
        }
    }

    /** The image tower of {@link ClipNet}. */
    private record NetImageTower(ClipNet net) implements Tower<ImageBatch> {
        @Override
        public String source() {
            return net.source + ": image tower";
        }

        @Override
        public long declaredDim() {
            return net.embedDim();
        }

        @Override
        public float[][] embed(ImageBatch batch) {
            return net.embedImages(batch.data(), batch.count(), batch.size());
        }
    }

    /** The text tower of {@link ClipNet}. */
    private record NetTextTower(ClipNet net) implements Tower<int[][]> {
        @Override
        public String source() {
            return net.source + ": text tower";
        }

        @Override
        public long declaredDim() {
            return net.embedDim();
        }

        @Override
        public float[][] embed(int[][] tokenIds) {
            return net.embedTokens(tokenIds);
        }
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

    /**
     * CLIP built from a checkpoint ({@link ClipNetCut}) and Keras models ({@link KerasNetCut}) train their last
     * blocks; a TorchScript tower cannot.
     */
    @Override
    public FineTunable fineTunable() {
        if (keras != null) {
            return keras.fineTunable();
        }
        if (net != null) {
            return ClipNetCut.fineTunable(net);
        }
        throw new UnsupportedOperationException("model " + card().name() + ": a TorchScript tower cannot be"
                + " fine-tuned (its weights are constants inside the compiled module, with no blocks to cut); list the"
                + " safetensors checkpoint (artifacts." + ClipCheckpoints.FORMAT + "." + ClipCheckpoints.ROLE
                + ") to build the tower that trains");
    }

    @Override
    protected String missingTextTower() {
        if (keras != null) {
            return keras.missingTextTower();
        }
        if (net != null) {
            return net.architecture.text() == null ? net.source + ": the checkpoint has no text tower"
                    : "the model card has context_length 0";
        }
        return "the model card lists no TorchScript text tower" + (image.has(ENCODE_TEXT) ? " (or context_length 0)" : "");
    }

    /** Native arrays still held by the modules (for leak tests). */
    int liveArrays() {
        if (keras != null) {
            return keras.liveArrays();
        }
        if (net != null) {
            return net.liveArrays();
        }
        return image.liveArrays() + (text == null || text == image ? 0 : text.liveArrays());
    }

    @Override
    public void close() {
        if (keras != null) {
            keras.close();
            return;
        }
        if (net != null) {
            net.close();
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
