package clipbench.protocol.align;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image–caption pairs of a captioned dataset: every image row with each of its captions. A caption text that
 * several images share is one caption row (so it is never their negative, see {@link Aligner}); caption rows are in
 * order of first appearance, so the same images give the same rows.
 *
 * @param captions the distinct caption texts, one per caption row
 * @param pairs    (image row, caption row) for every caption of every image
 */
public record CaptionPairs(List<String> captions, List<Pair> pairs) {
    public CaptionPairs {
        captions = List.copyOf(captions);
        pairs = List.copyOf(pairs);
    }

    /** Pairs from the captions of each image row ({@code captionsPerImage.get(row)}); an image without any has none. */
    public static CaptionPairs of(List<List<String>> captionsPerImage) {
        Map<String, Integer> rows = new LinkedHashMap<>();
        List<Pair> pairs = new ArrayList<>();
        for (int image = 0; image < captionsPerImage.size(); image++) {
            for (String caption : captionsPerImage.get(image).stream().distinct().toList()) {
                pairs.add(new Pair(image, rows.computeIfAbsent(caption, c -> rows.size())));
            }
        }
        return new CaptionPairs(List.copyOf(rows.keySet()), pairs);
    }

    /** Images with at least one caption. */
    public long pairedImages() {
        return pairs.stream().mapToInt(Pair::image).distinct().count();
    }
}
