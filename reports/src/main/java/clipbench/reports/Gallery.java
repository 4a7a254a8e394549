package clipbench.reports;

import clipbench.api.io.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * Prediction galleries: a grid of test images, each captioned "predicted (true)", wrong ones framed and
 * captioned in red, drawn with Java2D into {@code gallery/NAME.png}. The images are the run's
 * {@link Thumbnails} (what the upsampler handed to the backbone), so only the run directory is read; when
 * none is there the gallery built earlier (in the report folder, or in a source run directory) is kept,
 * else the gallery is left out with a note.
 */
public final class Gallery {
    /** The folder, inside the report folder, that holds the gallery PNGs. */
    public static final String DIR = "gallery";
    public static final int COLUMNS = 6;
    public static final int ROWS = 4;

    static final int THUMB = 160;
    static final int PAD = 8;
    static final int CAPTION = 40;
    static final int HEADER = 44;
    static final Color WRONG = new Color(0xc62828);
    static final Color RIGHT = new Color(0x2e7d32);

    private Gallery() {
    }

    /** One prediction: the image (its id in predictions.csv), the true and the predicted class. */
    public record Item(String image, String trueClass, String predictedClass) {
        public boolean correct() {
            return trueClass.equals(predictedClass);
        }
    }

    /**
     * Picks up to {@code n} items deterministically: half wrong and half correct where there are enough
     * (the other kind fills up otherwise), each kind taken class by class in turn (classes and images in
     * name order) so that many classes show; returned in image order.
     */
    public static List<Item> pick(List<Item> all, int n) {
        List<Item> wrong = roundRobin(all.stream().filter(i -> !i.correct()).toList());
        List<Item> right = roundRobin(all.stream().filter(Item::correct).toList());
        int nWrong = Math.min(wrong.size(), n / 2);
        int nRight = Math.min(right.size(), n - nWrong);
        nWrong = Math.min(wrong.size(), n - nRight);
        List<Item> out = new ArrayList<>(wrong.subList(0, nWrong));
        out.addAll(right.subList(0, nRight));
        out.sort(Comparator.comparing(Item::image).thenComparing(Item::trueClass));
        return out;
    }

    /** The items class by class in turn (classes and, within a class, images in name order). */
    static List<Item> roundRobin(List<Item> items) {
        Map<String, List<Item>> byClass = new java.util.TreeMap<>();
        for (Item i : items) {
            byClass.computeIfAbsent(i.trueClass(), k -> new ArrayList<>()).add(i);
        }
        byClass.values().forEach(l -> l.sort(Comparator.comparing(Item::image).thenComparing(Item::predictedClass)));
        List<Item> out = new ArrayList<>();
        for (int round = 0; out.size() < items.size(); round++) {
            for (List<Item> l : byClass.values()) {
                if (round < l.size()) {
                    out.add(l.get(round));
                }
            }
        }
        return out;
    }

    /**
     * Draws (or keeps) {@code gallery/NAME.png} from the run's thumbnails.
     *
     * @param thumbnails the run's thumbnails of the dataset and upsampler the items were predicted on
     * @param earlier    folders that may hold a gallery of the same name from an earlier build
     * @return the figure, or empty when it was left out (a note says why)
     */
    public static Optional<Charts.Figure> render(Path reportDir, String name, String title, List<Item> items,
                                                 Thumbnails.Folder thumbnails, List<Path> earlier,
                                                 List<String> notes) throws IOException {
        Path target = reportDir.resolve(DIR).resolve(name + ".png");
        String rel = DIR + "/" + name + ".png";
        Charts.Figure figure = new Charts.Figure(title, "Prediction gallery for " + title + ": " + items.size()
                + " test images captioned predicted (true); wrong predictions framed in red.", rel, null);
        List<BufferedImage> images = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        int readable = 0;
        for (Item item : items) {
            BufferedImage img = null;
            try {
                img = ImageIO.read(thumbnails.of(item.image()).orElseThrow().toFile());
            } catch (IOException | RuntimeException e) {
                // left null: drawn as unreadable
            }
            if (img == null) {
                failed.add(item.image());
            } else {
                readable++;
            }
            images.add(img);
        }
        if (readable == 0) {
            String why = items.isEmpty() ? "the run kept no thumbnails of its test images"
                    : "no thumbnail could be read under " + thumbnails.dir();
            if (Files.isRegularFile(target)) {
                notes.add("Gallery " + title + ": " + why + "; kept the gallery drawn earlier.");
                return Optional.of(figure);
            }
            for (Path dir : earlier) {
                Path old = dir.resolve(DIR).resolve(name + ".png");
                if (Files.isRegularFile(old)) {
                    AtomicFiles.copy(old, target);
                    notes.add("Gallery " + title + ": " + why + "; copied the gallery drawn earlier in " + dir + ".");
                    return Optional.of(figure);
                }
            }
            notes.add("Gallery " + title + ": " + why + "; gallery omitted.");
            return Optional.empty();
        }
        if (!failed.isEmpty()) {
            notes.add("Gallery " + title + ": " + failed.size() + " thumbnail(s) could not be read and show as blank: "
                    + String.join(", ", failed.subList(0, Math.min(5, failed.size())))
                    + (failed.size() > 5 ? ", ..." : "") + ".");
        }
        writePng(target, draw(title, items, images));
        return Optional.of(figure);
    }

    /** Writes {@code image} as a PNG, atomically. */
    static void writePng(Path target, BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer");
        }
        AtomicFiles.writeBytes(target, bytes.toByteArray());
    }

    /** The grid: a header line, then {@link #COLUMNS} tiles per row; {@code images} may hold nulls. */
    static BufferedImage draw(String title, List<Item> items, List<BufferedImage> images) {
        int cols = Math.max(1, Math.min(COLUMNS, items.size()));
        int rows = Math.max(1, (items.size() + cols - 1) / cols);
        int tileW = THUMB + 2 * PAD;
        int tileH = THUMB + 2 * PAD + CAPTION;
        int width = Math.max(cols * tileW, 640);
        int height = HEADER + rows * tileH;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);

            long correct = items.stream().filter(Item::correct).count();
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(fit(g, title, width - 2 * PAD), PAD, 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.DARK_GRAY);
            g.drawString(correct + " of " + items.size() + " shown are correct. Caption: predicted (true); "
                    + "wrong predictions in red.", PAD, 37);

            Font bold = new Font(Font.SANS_SERIF, Font.BOLD, 12);
            Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                int x = (i % cols) * tileW;
                int y = HEADER + (i / cols) * tileH;
                g.setColor(item.correct() ? new Color(0xf3f7f3) : new Color(0xfdecea));
                g.fillRect(x + 2, y + 2, tileW - 4, tileH - 4);
                BufferedImage img = i < images.size() ? images.get(i) : null;
                if (img != null) {
                    BufferedImage thumb = scaleToFit(img, THUMB, THUMB);
                    int ix = x + PAD + (THUMB - thumb.getWidth()) / 2;
                    int iy = y + PAD + (THUMB - thumb.getHeight()) / 2;
                    g.drawImage(thumb, ix, iy, null);
                } else {
                    g.setColor(new Color(0xbbbbbb));
                    g.drawRect(x + PAD, y + PAD, THUMB - 1, THUMB - 1);
                    g.setFont(plain);
                    g.drawString("image unreadable", x + PAD + 22, y + PAD + THUMB / 2);
                }
                if (!item.correct()) {
                    g.setColor(WRONG);
                    g.setStroke(new BasicStroke(4f));
                    g.drawRect(x + 3, y + 3, tileW - 7, tileH - 7);
                }
                g.setColor(item.correct() ? RIGHT : WRONG);
                int textW = tileW - 2 * PAD;
                int base = y + PAD + THUMB + 16;
                String one = item.predictedClass() + " (" + item.trueClass() + ")";
                g.setFont(bold);
                if (g.getFontMetrics().stringWidth(one) <= textW) {
                    g.drawString(one, x + PAD, base);
                } else {
                    g.drawString(fit(g, item.predictedClass(), textW), x + PAD, base);
                    g.setFont(plain);
                    g.drawString(fit(g, "(" + item.trueClass() + ")", textW), x + PAD, base + 15);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** {@code text}, cut with an ellipsis to fit {@code width} pixels in the current font. */
    static String fit(Graphics2D g, String text, int width) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String s = text;
        while (!s.isEmpty() && fm.stringWidth(s + "…") > width) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "…";
    }

    /** Scales down (halving steps, then bicubic) or up to fit {@code w}×{@code h}, keeping the aspect ratio. */
    static BufferedImage scaleToFit(BufferedImage src, int w, int h) {
        double s = Math.min((double) w / src.getWidth(), (double) h / src.getHeight());
        int tw = Math.max(1, (int) Math.round(src.getWidth() * s));
        int th = Math.max(1, (int) Math.round(src.getHeight() * s));
        BufferedImage cur = src;
        while (cur.getWidth() / 2 >= tw && cur.getHeight() / 2 >= th) {
            cur = resize(cur, cur.getWidth() / 2, cur.getHeight() / 2);
        }
        return resize(cur, tw, th);
    }

    private static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            boolean up = w > src.getWidth();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, up && w >= 4 * src.getWidth()
                    ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
