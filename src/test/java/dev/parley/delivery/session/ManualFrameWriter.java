package dev.parley.delivery.session;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records each batch and completes it only when told to, like a client that reads slowly;
 * also used by {@link dev.parley.delivery.broker.StompJsFramingBrowserTests}.
 */
public final class ManualFrameWriter implements ClientFrameWriter {

    private final List<byte[]> batches = new CopyOnWriteArrayList<>();

    private volatile Consumer<Throwable> pending;

    @Override
    public boolean write(byte[] batch, Consumer<Throwable> done) {
        assertThat(this.pending).as("one write at a time").isNull();
        this.batches.add(batch);
        this.pending = done;
        return false;
    }

    public void complete(Throwable failure) {
        Consumer<Throwable> done = this.pending;
        this.pending = null;
        done.accept(failure);
    }

    public List<String> texts() {
        return this.batches.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
}
