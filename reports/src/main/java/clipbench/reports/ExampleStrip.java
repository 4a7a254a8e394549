package clipbench.reports;

import clipbench.api.io.AtomicFiles;
import clipbench.protocol.ThumbnailKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * One strip of example images per dataset: a few test images (the same in every column) as the dataset gave
 * them ({@link ThumbnailKey#ORIGINAL}, kept by runs since the example strips) and as each upsampler handed them
 * to the backbone, all shown at one size and pixelated, so what an upsampler adds is visible. The images are
 * the run's {@link Thumbnails}, copied into {@code examples/} of the report folder; the item ids and classes
 * come from predictions.csv, so the dataset is never read.
 */
final class ExampleStrip {
    /** The folder, inside the report folder, that holds the strips' images. */
    static final String DIR = "examples";
    /** Images per strip. */
    static final int ITEMS = 4;
    /** The display side of every image: the largest stored side, but no more than this (CSS pixels). */
    static final int MAX_DISPLAY = 256;
    /** The column of the originals. */
    static final String ORIGINAL = "original";

    private ExampleStrip() {
    }

    /** One image: relative path from the report, stored size. */
    record Image(String item, String src, int width, int height) {
    }

    /** A column: "original" or an upsampler, with one image per item of the strip. */
    record Column(String name, List<Image> images) {
    }

    /**
     * A strip.
     *
     * @param items   the test images shown, each as a predictions.csv item (id and true class)
     * @param display the side, in CSS pixels, every image is shown at
     */
    record Strip(String dataset, List<Gallery.Item> items, List<Column> columns, int display) {

        void html(StringBuilder h) {
            h.append("<div class=\"scroll\"><table class=\"strip\" data-dataset=\"").append(HtmlReport.esc(dataset))
                    .append("\">\n<caption>Examples: ").append(HtmlReport.esc(dataset)).append(" as the backbone")
                    .append(" received them (all shown at ").append(display).append(" px, pixelated)</caption>\n")
                    .append("<thead><tr><th>image</th>");
            columns.forEach(c -> h.append("<th>").append(HtmlReport.esc(c.name())).append("</th>"));
            h.append("</tr></thead>\n<tbody>\n");
            for (int i = 0; i < items.size(); i++) {
                Gallery.Item item = items.get(i);
                h.append("<tr><th>").append(HtmlReport.esc(item.trueClass())).append("<br><small>")
                        .append(HtmlReport.esc(item.image())).append("</small></th>");
                for (Column c : columns) {
                    Image img = c.images().get(i);
                    double scale = (double) display / Math.max(img.width(), img.height());
                    h.append("<td><img src=\"").append(HtmlReport.esc(HtmlReport.url(img.src())))
                            .append("\" width=\"").append(Math.round(img.width() * scale)).append("\" height=\"")
                            .append(Math.round(img.height() * scale)).append('"')
                            .append(scale > 1 ? " class=\"pixelated\"" : "")
                            .append(" data-column=\"").append(HtmlReport.esc(c.name())).append("\" data-item=\"")
                            .append(HtmlReport.esc(img.item())).append("\" alt=\"").append(HtmlReport.esc(item.image()))
                            .append(" (").append(HtmlReport.esc(c.name())).append(")\"><div class=\"size\">")
                            .append(img.width()).append('×').append(img.height()).append("</div></td>");
                }
                h.append("</tr>\n");
            }
            h.append("</tbody></table></div>\n");
        }
    }

    /**
     * The strip of {@code dataset}: up to {@link #ITEMS} of {@code predicted} (classes in turn) that have a
     * thumbnail in every column, the originals column only where some run kept originals; each image taken
     * from the first run that has it, copied to {@code examples/}.
     *
     * @param upsamplers the dataset's upsamplers in display order
     * @param predicted  the dataset's test images (from predictions.csv)
     * @return empty (with a note) when no image has a thumbnail in every column
     */
    static Optional<Strip> of(List<RunData> runs, String dataset, List<String> upsamplers, List<Gallery.Item> predicted,
                              Path outDir, Set<String> names, List<String> notes) throws IOException {
        List<Sources> columns = new ArrayList<>();
        Sources originals = Sources.of(runs, dataset, ThumbnailKey.ORIGINAL, ORIGINAL);
        if (originals.any()) {
            columns.add(originals);
        } else {
            notes.add("Examples of " + dataset + ": the run kept no originals (before any upsampler); the strip"
                    + " shows the upsamplers' images only.");
        }
        for (String up : upsamplers) {
            columns.add(Sources.of(runs, dataset, up, up));
        }
        List<Gallery.Item> shown = Gallery.roundRobin(predicted.stream()
                .filter(i -> columns.stream().allMatch(c -> c.find(i.image()).isPresent())).toList());
        if (shown.isEmpty()) {
            notes.add("Examples of " + dataset + ": no test image has a thumbnail for every upsampler; no strip.");
            return Optional.empty();
        }
        shown = shown.subList(0, Math.min(ITEMS, shown.size()));
        List<Column> out = new ArrayList<>();
        int largest = 1;
        for (Sources c : columns) {
            List<Image> images = new ArrayList<>();
            for (int i = 0; i < shown.size(); i++) {
                Path source = c.find(shown.get(i).image()).orElseThrow();
                String name = Names.unique(Names.slug(dataset, c.name(), Integer.toString(i + 1)), names);
                String rel = DIR + "/" + name + ".png";
                int[] size;
                try {
                    size = size(source);
                } catch (IOException | RuntimeException e) {
                    notes.add("Examples of " + dataset + ": " + source + " could not be read (" + e.getMessage()
                            + "); no strip.");
                    return Optional.empty();
                }
                AtomicFiles.copy(source, outDir.resolve(rel));
                largest = Math.max(largest, Math.max(size[0], size[1]));
                images.add(new Image(shown.get(i).image(), rel, size[0], size[1]));
            }
            out.add(new Column(c.name(), images));
        }
        return Optional.of(new Strip(dataset, shown, out, Math.min(MAX_DISPLAY, largest)));
    }

    /** A column's thumbnail folders, one per run, searched in order. */
    private record Sources(String name, List<Thumbnails.Folder> folders) {
        static Sources of(List<RunData> runs, String dataset, String upsampler, String name) throws IOException {
            List<Thumbnails.Folder> folders = new ArrayList<>();
            for (RunData run : runs) {
                folders.add(Thumbnails.Folder.of(run.dir(), dataset, upsampler));
            }
            return new Sources(name, folders);
        }

        boolean any() {
            return folders.stream().anyMatch(f -> !f.files().isEmpty());
        }

        Optional<Path> find(String item) {
            return folders.stream().map(f -> f.of(item)).flatMap(Optional::stream).findFirst();
        }
    }

    /** Width and height from the PNG's header. */
    private static int[] size(Path png) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(png + " is no image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }
}
