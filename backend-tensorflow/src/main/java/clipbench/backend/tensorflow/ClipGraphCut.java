package clipbench.backend.tensorflow;

import clipbench.api.spi.FineTunable;
import clipbench.api.spi.TowerCut;
import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.ClipBlocks;
import java.util.List;
import org.tensorflow.proto.ConfigProto;

/**
 * A CLIP image tower built from its checkpoint ({@link ClipGraph}) as blocks to fine-tune. The cut's activations
 * per image: a ViT's token sequence after the cut block, {@code [tokens, width]} row-major (class token first);
 * a ModifiedResNet's feature map after the cut bottleneck, {@code [H, W, C]} (NHWC) row-major; the preprocessed
 * image {@code [3, S, S]} when every block trains. Parameters are the OpenAI state-dict tensors
 * {@link ClipBlocks#trainedKeys} lists, in the checkpoint's (PyTorch) layout and order.
 */
final class ClipGraphCut implements FineTunable {
    private final Checkpoint checkpoint;
    private final ClipArchitecture arch;
    private final ConfigProto config;

    ClipGraphCut(Checkpoint checkpoint, ClipArchitecture arch, ConfigProto config) {
        this.checkpoint = checkpoint;
        this.arch = arch;
        this.config = config;
    }

    @Override
    public List<String> blocks() {
        return ClipBlocks.blocks(arch.vision());
    }

    @Override
    public TowerCut cut(int lastBlocks) {
        List<String> keys = ClipBlocks.trainedKeys(arch.vision(), checkpoint.names(), lastBlocks);
        int start = blocks().size() - lastBlocks;
        TfTowerCut.Bottom bottom = start == 0 ? null : (tf, image) -> new ClipGraph(tf,
                GraphParams.constants(tf, checkpoint)).imageBottom(image, arch, start);
        return TfTowerCut.create(checkpoint.source(), ClipBlocks.cutName(arch.vision(), lastBlocks),
                arch.imageResolution(), config, bottom, (tf, params, x) -> {
                    keys.forEach(k -> params.add(k, checkpoint.shape(k), checkpoint.floats(k)));
                    ClipGraph top = new ClipGraph(tf, GraphParams.trained(tf, checkpoint, params));
                    return top.imageTop(start == 0 ? top.imageBottom(x, arch, 0) : x, arch, start);
                });
    }
}
