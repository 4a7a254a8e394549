package clipbench.protocol.align;

import clipbench.protocol.Vectors;

/**
 * A trained alignment: the image projection Wi [dim][imageWidth], the text projection Wt [dim][textWidth] (both
 * row-major) and the log-temperature t. As a CLIP: an image embeds to {@code normalize(Wi x)}, a text to
 * {@code normalize(Wt y)}, and zero-shot logits are {@code min(e^t, 100) · cos}. Prompt ensembling is the caller's,
 * as for any CLIP (the run loop's {@code ClassPrompts} over {@link #embedTexts} rows).
 */
public record AlignedProjections(int dim, int imageWidth, int textWidth, float[] image, float[] text,
                                 double logScale) {
    public AlignedProjections {
        if (image.length != dim * imageWidth || text.length != dim * textWidth) {
            throw new IllegalArgumentException("projections must be " + dim + " x " + imageWidth + " and " + dim
                    + " x " + textWidth + ", got " + image.length + " and " + text.length + " values");
        }
    }

    /** The logit scale zero-shot multiplies cosines by. */
    public double logitScale() {
        return ContrastiveLoss.logitScale(logScale);
    }

    /** {@code normalize(Wi x)} for every image row. */
    public float[][] embedImages(float[][] rows) {
        return embed(image, imageWidth, rows);
    }

    /** {@code normalize(Wt y)} for every text row: with one prompt embedding per class, the zero-shot class weights. */
    public float[][] embedTexts(float[][] rows) {
        return embed(text, textWidth, rows);
    }

    /** Zero-shot logits [images][classes]: {@code min(e^t, 100) · cos(Wi x, Wt y)}. */
    public float[][] logits(float[][] imageRows, float[][] classTextRows) {
        return Vectors.scaledProducts(embedImages(imageRows), embedTexts(classTextRows), logitScale());
    }

    private float[][] embed(float[] w, int width, float[][] rows) {
        for (float[] row : rows) {
            if (row.length != width) {
                throw new IllegalArgumentException("expected rows of width " + width + ", got " + row.length);
            }
        }
        double[][] z = RowMath.normalize(RowMath.project(RowMath.widen(w), dim, width, rows), new double[rows.length]);
        float[][] out = new float[z.length][];
        for (int i = 0; i < z.length; i++) {
            out[i] = RowMath.narrow(z[i]);
        }
        return out;
    }
}
