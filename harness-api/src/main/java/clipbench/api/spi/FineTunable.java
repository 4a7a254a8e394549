package clipbench.api.spi;

import java.util.List;

/**
 * An image tower seen as a sequence of blocks, the natural unit of its family (CLIP ViT: residual attention
 * blocks; ModifiedResNet: bottlenecks; Keras graphs: the network's own block names, MobileNetV2
 * {@code block_16}, InceptionV3 {@code mixed10}), so that the last few can be trained and the rest frozen.
 */
public interface FineTunable {
    /** The blocks from input to output, named as the network names them. */
    List<String> blocks();

    /**
     * Cuts the tower below its last {@code lastBlocks} blocks. The top holds those blocks and everything after
     * them (CLIP: {@code ln_post} and the projection; ModifiedResNet: the attention pool; Keras: the layers up to
     * the feature layer). {@code lastBlocks == blocks().size()} trains everything, the stem included, and the
     * cut is the preprocessed image.
     *
     * @throws IllegalArgumentException when {@code lastBlocks} is not in {@code 1..blocks().size()}
     * @throws UnsupportedOperationException naming the layer and the operation when the runtime has no gradient
     *         for something in the top
     */
    TowerCut cut(int lastBlocks);

    /**
     * Cuts after a named layer (Keras graphs): everything after it up to the feature layer is trained.
     *
     * @throws UnsupportedOperationException when the family has no named cuts
     * @throws IllegalArgumentException naming the layer when it is not a single-tensor cut of the graph
     */
    default TowerCut cutAfter(String layer) {
        throw new UnsupportedOperationException("this tower has no named cuts ('" + layer + "'); use last:N");
    }
}
