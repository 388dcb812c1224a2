package dev.parley.delivery;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import dev.parley.delivery.FrontDoorClient.Style;
import dev.parley.delivery.FrontDoorClient.Transport;

/**
 * One case of the front door's fuzzing: what a client sends over one connection, and what the
 * server must make of it (contract sections 2, 3 and 6a), as far as that is certain.
 * <p>
 * The bytes name the client's nickname, token, room and receipts by placeholders
 * ({@code {login}}, {@code {LOGIN}} in upper case, {@code {passcode}}, {@code {room}},
 * {@code {receipt}}), filled in when the case runs, so that a case is printable and re-runs on
 * fresh names.
 *
 * @param transport the way in
 * @param style how each transport message is framed (plain WebSocket)
 * @param pieces what is sent, in order
 * @param cuts where the STOMP bytes are cut into transport messages, in thousandths of each run
 *        of STOMP bytes between two out-of-band pieces
 * @param ending how the client ends the connection if the server has not
 */
record FrontDoorCase(Transport transport, Style style, List<Piece> pieces, List<Integer> cuts, Ending ending) {

    /** What a piece is, for the server. */
    enum Kind {
        /** End-of-lines between frames (STOMP heart-beats): nothing to answer. */
        EOL,
        /** A valid CONNECT as the fuzzing nickname: CONNECTED, unless the session is connected already. */
        CONNECT,
        /** A CONNECT the contract refuses (credentials, nickname): ERROR, then close. */
        CONNECT_REFUSED,
        /** A frame a connected session may send: answered by a RECEIPT if it asks for one. */
        FRAME,
        /** DISCONNECT: the end of a connected session, by the client's wish. */
        DISCONNECT,
        /** A SEND or SUBSCRIBE to a destination the contract forbids: ERROR, then close. */
        FORBIDDEN,
        /** Bytes that are no STOMP frame: ERROR, then close. */
        MALFORMED,
        /** A frame beyond 64 KiB: close, with an ERROR first where the server still can. */
        OVERSIZE,
        /** Something the contract leaves open (odd heart-beats, versions, ids): any answer but silence. */
        ODD,
        /** A frame that never ends (no NUL, content-length beyond the bytes): nothing to answer yet. */
        INCOMPLETE,
        /** A WebSocket frame RFC 6455 forbids (sent as it is): the server closes. */
        BROKEN_WEBSOCKET,
        /** A SockJS message that is no JSON array of strings. */
        BROKEN_SOCKJS
    }

    /** How the client ends a connection the server has not closed. */
    enum Ending {
        /** Drops the connection without a word (WebSocket transports). */
        ABORT,
        /** Sends 70 KiB without a NUL, which the server must refuse: ends on every transport. */
        OVERFLOW
    }

    /** One thing sent: a STOMP frame or part of one, or an out-of-band transport message. */
    record Piece(String label, Kind kind, byte[] bytes, boolean invalidUtf8) {

        static Piece of(String label, Kind kind, String text) {
            return new Piece(label, kind, text.getBytes(StandardCharsets.UTF_8), false);
        }

        boolean outOfBand() {
            return this.kind == Kind.BROKEN_WEBSOCKET || this.kind == Kind.BROKEN_SOCKJS;
        }

        boolean asksReceipt() {
            return new String(this.bytes, StandardCharsets.ISO_8859_1).contains("\nreceipt:{receipt}");
        }

        @Override
        public String toString() {
            return this.label + "[" + this.kind + "] " + printable(this.bytes, 160);
        }
    }

    /** How the server must answer a case, computed from its pieces. */
    record Verdict(Outcome outcome, List<String> answers, int decidingPiece) {

        /** Frames the answers are in: CONNECTED, or the receipt id of a RECEIPT. */
        static final String CONNECTED = "CONNECTED";
    }

    enum Outcome {
        /** Every piece is valid: each asked answer comes, no ERROR, the connection stays open. */
        ACCEPTED,
        /** A piece must be refused at the STOMP level: an ERROR frame, then the close. */
        REFUSED_WITH_ERROR,
        /** A piece must end the connection, an ERROR frame optional. */
        CLOSED,
        /** The contract leaves the answer open: only that there is one (or the connection stays usable). */
        EITHER
    }

    /** The outcome the contract demands, walking the pieces as the server reads them. */
    Verdict verdict() {
        Verdict verdict = walk();
        if (verdict.outcome() == Outcome.REFUSED_WITH_ERROR && closesLater(verdict.decidingPiece())) {
            // the transport is broken by what follows: the container may close before the ERROR
            // is written (SockJS writes on another thread), or refuse a message holding both
            // whole: the close is certain, the ERROR not
            return new Verdict(Outcome.CLOSED, verdict.answers(), verdict.decidingPiece());
        }
        return verdict;
    }

    /** Whether a piece after {@code piece} closes the connection below STOMP. */
    private boolean closesLater(int piece) {
        int invalid = firstInvalidUtf8();
        if (invalid > piece) {
            return true;
        }
        for (int i = piece + 1; i < this.pieces.size(); i++) {
            Kind kind = this.pieces.get(i).kind();
            if (kind == Kind.BROKEN_WEBSOCKET || kind == Kind.OVERSIZE
                    || (kind == Kind.BROKEN_SOCKJS && !this.transport.isXhr())) {
                return true;
            }
        }
        return false;
    }

    /** The first piece whose bytes the container must refuse (not UTF-8 in a text message), or -1. */
    private int firstInvalidUtf8() {
        if (this.transport.isSockJs() || this.style == Style.BINARY) {
            return -1;
        }
        for (int i = 0; i < this.pieces.size(); i++) {
            if (this.pieces.get(i).invalidUtf8()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A run of STOMP pieces sent together may make one transport message larger than the 64 KiB
     * that the server buffers, though each frame in it is smaller: the container (WebSocket) or
     * the decoder (SockJS) then refuses the message. Which of its frames were handled before
     * depends on where the run was cut, so from the run's first piece the answer is left open.
     * Placeholders grow a piece by a few dozen bytes: the bound leaves room for them.
     */
    private static final int LARGEST_SAFE_RUN = 60 * 1024;

    /** The first piece of the first run of STOMP pieces too large to be sure of, or -1. */
    private int firstOversizedRun() {
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < this.pieces.size(); i++) {
            Piece piece = this.pieces.get(i);
            if (piece.outOfBand()) {
                start = i + 1;
                bytes = 0;
                continue;
            }
            bytes += piece.bytes().length;
            if (bytes > LARGEST_SAFE_RUN && piece.kind() != Kind.OVERSIZE) {
                return start;
            }
        }
        return -1;
    }

    private Verdict walk() {
        boolean connected = false;
        List<String> answers = new ArrayList<>();
        int invalid = firstInvalidUtf8();
        int oversizedRun = firstOversizedRun();
        for (int i = 0; i < this.pieces.size(); i++) {
            Piece piece = this.pieces.get(i);
            if (i == oversizedRun && i != invalid) {
                return new Verdict(Outcome.EITHER, answers, i);
            }
            if (i == invalid) {
                // a WebSocket text message must be UTF-8 (RFC 6455 8.1): the container closes
                return new Verdict(Outcome.CLOSED, answers, i);
            }
            switch (piece.kind()) {
                case EOL -> {
                    if (!connected) {
                        // a heart-beat before CONNECT: Spring refuses it when it comes alone
                        // ("Unknown session"), and skips it before a frame
                        return new Verdict(Outcome.EITHER, answers, i);
                    }
                }
                case CONNECT -> {
                    if (connected) {
                        return new Verdict(Outcome.REFUSED_WITH_ERROR, answers, i);
                    }
                    connected = true;
                    answers.add(Verdict.CONNECTED);
                }
                case FRAME -> {
                    if (!connected) {
                        return new Verdict(Outcome.REFUSED_WITH_ERROR, answers, i);
                    }
                    if (piece.asksReceipt()) {
                        answers.add(receiptId(i));
                    }
                }
                case DISCONNECT -> {
                    return new Verdict(connected ? Outcome.EITHER : Outcome.REFUSED_WITH_ERROR, answers, i);
                }
                case CONNECT_REFUSED, FORBIDDEN, MALFORMED -> {
                    return new Verdict(Outcome.REFUSED_WITH_ERROR, answers, i);
                }
                case OVERSIZE, BROKEN_WEBSOCKET -> {
                    return new Verdict(Outcome.CLOSED, answers, i);
                }
                case BROKEN_SOCKJS -> {
                    if (!this.transport.isXhr()) {
                        return new Verdict(Outcome.CLOSED, answers, i);
                    }
                    // over xhr the SockJS protocol answers that send alone (500 "Broken JSON
                    // encoding."), and the session goes on
                }
                case ODD -> {
                    return new Verdict(Outcome.EITHER, answers, i);
                }
                case INCOMPLETE -> {
                    return new Verdict(Outcome.ACCEPTED, answers, i);
                }
            }
        }
        return new Verdict(Outcome.ACCEPTED, answers, this.pieces.size());
    }

    static String receiptId(int piece) {
        return "rc" + piece;
    }

    /**
     * What the client sends, in order: transport messages of STOMP bytes (placeholders filled in)
     * and out-of-band pieces.
     */
    List<Message> messages(String login, String passcode, String room) {
        List<Message> messages = new ArrayList<>();
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (int i = 0; i < this.pieces.size(); i++) {
            Piece piece = this.pieces.get(i);
            byte[] bytes = fill(piece.bytes(), login, passcode, room, receiptId(i));
            if (piece.outOfBand()) {
                cut(run.toByteArray(), messages);
                run.reset();
                messages.add(new Message(bytes, piece.kind()));
            }
            else {
                run.writeBytes(bytes);
            }
        }
        cut(run.toByteArray(), messages);
        return messages;
    }

    /** One transport message: STOMP bytes ({@code outOfBand} null) or an out-of-band piece's. */
    record Message(byte[] bytes, Kind outOfBand) {
    }

    private void cut(byte[] run, List<Message> messages) {
        if (run.length == 0) {
            return;
        }
        Set<Integer> positions = new TreeSet<>();
        for (int cut : this.cuts) {
            int position = (int) ((long) run.length * cut / 1000);
            if (this.style != Style.BINARY || this.transport.isSockJs()) {
                // a text message must be whole UTF-8: cut between characters
                while (position < run.length && (run[position] & 0xc0) == 0x80) {
                    position++;
                }
            }
            if (position > 0 && position < run.length) {
                positions.add(position);
            }
        }
        int start = 0;
        for (int position : positions) {
            messages.add(new Message(java.util.Arrays.copyOfRange(run, start, position), null));
            start = position;
        }
        messages.add(new Message(java.util.Arrays.copyOfRange(run, start, run.length), null));
    }

    private static byte[] fill(byte[] bytes, String login, String passcode, String room, String receipt) {
        // the placeholders are ASCII: replacing in ISO-8859-1 keeps every other byte as it is
        String text = new String(bytes, StandardCharsets.ISO_8859_1)
                .replace("{login}", login)
                .replace("{LOGIN}", login.toUpperCase(Locale.ROOT))
                .replace("{passcode}", passcode)
                .replace("{room}", room)
                .replace("{receipt}", receipt);
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Bytes as a short, readable string: control and non-ASCII bytes escaped. */
    static String printable(byte[] bytes, int max) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < bytes.length && text.length() < max; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case 0 -> text.append("\\0");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\\' -> text.append("\\\\");
                default -> text.append((b >= 0x20 && b < 0x7f) ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
        }
        return (text.length() >= max) ? text + "…(" + bytes.length + " bytes)" : text.toString();
    }

    @Override
    public String toString() {
        return this.transport + "/" + this.style + " cuts " + this.cuts + " then " + this.ending + ": " + this.pieces;
    }
}
