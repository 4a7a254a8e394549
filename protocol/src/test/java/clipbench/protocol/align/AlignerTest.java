package clipbench.protocol.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AlignerTest {
    private static final int PAIRS = 400;
    private static final int BATCH = 128;
    private static final AlignSettings SETTINGS = new AlignSettings(16, BATCH, 400, 0.01, 0.01, 7);

    private static final long MAPS = 11;
    private static float[][] images;
    private static float[][] texts;
    private static Alignment trained;

    @BeforeAll
    static void train() {
        SyntheticPairs data = new SyntheticPairs(MAPS, 1);
        float[][] latents = data.latents(PAIRS);
        images = data.images(latents);
        texts = data.texts(latents);
        trained = new Aligner(SETTINGS).align(images, texts, SyntheticPairs.diagonal(PAIRS));
    }

    @Test
    void learnsTheSharedLatentsFromPairsAlone() {
        double chance = Math.log(BATCH);
        PairRetrieval seen = PairRetrieval.of(trained.projections(), images, texts, SyntheticPairs.diagonal(PAIRS));
        SyntheticPairs data = new SyntheticPairs(MAPS, 2);
        float[][] fresh = data.latents(PAIRS);
        PairRetrieval unseen = PairRetrieval.of(trained.projections(), data.images(fresh), data.texts(fresh),
                SyntheticPairs.diagonal(PAIRS));
        double[] losses = trained.losses();
        System.out.printf("align synthetic: loss %.3f at step 0 -> final %.4f (ln %d = %.3f); image->text top-1 %.3f"
                        + " (text->image %.3f) on the %d trained pairs, %.3f (%.3f) on %d new ones; chance %.4f;"
                        + " logit scale %.1f%n", losses[0], trained.finalLoss(), BATCH, chance, seen.imageToText(),
                seen.textToImage(), PAIRS, unseen.imageToText(), unseen.textToImage(), PAIRS, 1.0 / PAIRS,
                trained.projections().logitScale());
        assertTrue(losses[0] > 0.8 * chance, "starts near chance: " + losses[0]);
        assertTrue(trained.finalLoss() < 0.2 * chance, "final loss " + trained.finalLoss());
        assertTrue(seen.imageToText() > 0.9 && seen.textToImage() > 0.9, "trained pairs: " + seen);
        assertTrue(unseen.imageToText() > 0.9, "new pairs: " + unseen);
        assertEquals(SETTINGS.steps(), losses.length);
        assertEquals(PAIRS, trained.pairs());
    }

    @Test
    void zeroShotOnClassesNeverSeenInAlignment() {
        // Ten new latent "classes": each class's text is its prototype's text embedding; its images are noisy
        // variations of the prototype through the image map.
        SyntheticPairs data = new SyntheticPairs(MAPS, 3);
        int classes = 10;
        int perClass = 30;
        float[][] prototypes = data.latents(classes);
        float[][] classTexts = data.texts(prototypes);
        float[][] variations = new float[classes * perClass][SyntheticPairs.LATENT];
        float[][] noise = data.latents(variations.length);
        for (int i = 0; i < variations.length; i++) {
            for (int k = 0; k < SyntheticPairs.LATENT; k++) {
                variations[i][k] = prototypes[i / perClass][k] + 0.3f * noise[i][k];
            }
        }
        float[][] logits = trained.projections().logits(data.images(variations), classTexts);
        int correct = 0;
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                best = logits[i][c] > logits[i][best] ? c : best;
            }
            correct += best == i / perClass ? 1 : 0;
        }
        double top1 = (double) correct / logits.length;
        System.out.printf("align synthetic zero-shot: top-1 %.3f on %d unseen classes (chance %.2f)%n", top1, classes,
                1.0 / classes);
        assertTrue(top1 > 0.8, "zero-shot top-1 " + top1);
    }

    @Test
    void aSeedGivesByteIdenticalResults() {
        AlignSettings s = new AlignSettings(8, 50, 30, 0.01, 0.1, 3);
        List<Pair> pairs = SyntheticPairs.diagonal(120);
        Alignment a = new Aligner(s).align(images, texts, pairs);
        Alignment b = new Aligner(s).align(images, texts, pairs);
        assertArrayEquals(bytes(a), bytes(b));
        Alignment other = new Aligner(new AlignSettings(8, 50, 30, 0.01, 0.1, 4)).align(images, texts, pairs);
        assertTrue(a.finalLoss() != other.finalLoss(), "the seed matters");
    }

    @Test
    void trainsWithSeveralCaptionsPerImageAndSharedCaptions() {
        // 150 images, each with its own caption and, for every third image, a caption it shares with the next image
        // (the text of their mean latent): batches hold repeated images and captions, and true pairs off the diagonal.
        SyntheticPairs data = new SyntheticPairs(MAPS, 4);
        int n = 150;
        float[][] latents = data.latents(n);
        List<float[]> captionRows = new ArrayList<>(List.of(data.texts(latents)));
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pairs.add(new Pair(i, i));
            if (i % 3 == 0 && i + 1 < n) {
                float[] mean = new float[SyntheticPairs.LATENT];
                for (int k = 0; k < mean.length; k++) {
                    mean[k] = (latents[i][k] + latents[i + 1][k]) / 2;
                }
                captionRows.add(data.texts(new float[][] {mean})[0]);
                pairs.add(new Pair(i, captionRows.size() - 1));
                pairs.add(new Pair(i + 1, captionRows.size() - 1));
            }
        }
        float[][] captions = captionRows.toArray(new float[0][]);
        float[][] imageRows = data.images(latents);
        Alignment a = new Aligner(new AlignSettings(16, 64, 300, 0.01, 0.01, 5)).align(imageRows, captions, pairs);
        PairRetrieval r = PairRetrieval.of(a.projections(), imageRows, captions, pairs);
        System.out.printf("align, several captions per image: %d pairs, final loss %.3f, image->text top-1 %.3f,"
                + " text->image %.3f%n", pairs.size(), a.finalLoss(), r.imageToText(), r.textToImage());
        assertTrue(r.imageToText() > 0.9, r.toString());
        assertTrue(a.finalLoss() < 0.5 * Math.log(64), "final loss " + a.finalLoss());
    }

    @Test
    void aBatchLargerThanThePairsUsesEveryPairEachStep() {
        List<Pair> pairs = SyntheticPairs.diagonal(40);
        Alignment a = new Aligner(new AlignSettings(8, 4096, 60, 0.02, 0.0, 1)).align(images, texts, pairs);
        assertTrue(a.finalLoss() < a.losses()[0] / 4, "full batch: " + a.losses()[0] + " -> " + a.finalLoss());
        // One batch of every pair: the final loss is the loss of the same batch after the last update.
        assertTrue(a.losses()[59] > a.finalLoss() - 1e-3);
    }

    @Test
    void refusesBadPairs() {
        Aligner aligner = new Aligner(SETTINGS);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> aligner.align(images, texts, List.of(new Pair(0, 0), new Pair(0, 0))));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> aligner.align(images, texts, List.of(new Pair(0, 0), new Pair(PAIRS, 1))));
        assertTrue(outside.getMessage().contains("outside"), outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AlignSettings(16, 1, 10, 0.01, 0, 1));
    }

    private static byte[] bytes(Alignment a) {
        AlignedProjections p = a.projections();
        ByteBuffer b = ByteBuffer.allocate(4 * (p.image().length + p.text().length) + 8 * (a.losses().length + 2));
        for (float v : p.image()) {
            b.putFloat(v);
        }
        for (float v : p.text()) {
            b.putFloat(v);
        }
        b.putDouble(p.logScale()).putDouble(a.finalLoss());
        for (double v : a.losses()) {
            b.putDouble(v);
        }
        return b.array();
    }
}
