package clipbench.clip.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * A buffered {@link javax.imageio.stream.ImageInputStream} over a file channel. Unlike
 * {@link javax.imageio.stream.FileImageInputStream}, which needs a {@link java.io.File} (a String), it reads
 * any {@link java.nio.file.Path} a directory listing returns, including names whose bytes are not valid in the
 * JVM's file name encoding (a Latin-1 {@code caf\xe9.jpg} under a UTF-8 locale).
 */
final class ChannelImageInputStream extends ImageInputStreamImpl {
    private final SeekableByteChannel channel;
    private final byte[] buffer = new byte[8192];
    /** File offset of {@code buffer[0]} and how many bytes the buffer holds. */
    private long bufferStart;
    private int bufferLength;

    ChannelImageInputStream(SeekableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        if (!fill()) {
            return -1;
        }
        return buffer[(int) (streamPos++ - bufferStart)] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = (int) Math.min(len, bufferStart + bufferLength - streamPos);
        System.arraycopy(buffer, (int) (streamPos - bufferStart), b, off, n);
        streamPos += n;
        return n;
    }

    /** Makes the buffer hold the byte at {@code streamPos}; false at the end of the file. */
    private boolean fill() throws IOException {
        if (streamPos >= bufferStart && streamPos < bufferStart + bufferLength) {
            return true;
        }
        channel.position(streamPos);
        ByteBuffer bb = ByteBuffer.wrap(buffer);
        while (bb.hasRemaining() && channel.read(bb) > 0) {
            // a file channel may return fewer bytes than asked before the end
        }
        bufferStart = streamPos;
        bufferLength = bb.position();
        return bufferLength > 0;
    }

    @Override
    public long length() {
        try {
            return channel.size();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        super.close();
        channel.close();
    }
}
