package dev.parley.delivery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;

import dev.parley.support.ParleyApi;
import dev.parley.support.RawStompSocket;
import dev.parley.support.ServerProcess;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that shuts down (SIGTERM, as a deploy or a rolling restart sends it) tells every
 * client that the service restarts, close status 1012, so that they reconnect at once, to
 * another instance where there is one.
 */
class ServiceRestartIntegrationTests {

    @AfterEach
    void closeClients() {
        StompTestClient.closeAll();
    }

    @Test
    void clientsAreToldTheServiceRestartsWhenItShutsDown() throws Exception {
        Path jar = ServerProcess.jar()
            .orElseThrow(() -> new IllegalStateException("the packaged jar is needed: run mvn verify"));
        ServerProcess server = ServerProcess.startInIntegrationProfile(jar);
        List<RawStompSocket> sockets = new ArrayList<>();
        RawStompSocket webSocket;
        StompTestClient sockJs;
        CompletableFuture<RawStompSocket.Drained> webSocketEnd;
        try {
            ParleyApi api = new ParleyApi(server.port());
            // a raw socket: Tomcat's WebSocket client, under the other test clients, takes 1012 for
            // a protocol error (it knows the close codes up to 1011); browsers accept it
            webSocket = RawStompSocket.connect(server.port(), api.claim(uniqueName("ws")), sockets);
            sockJs = StompTestClient.connect(server.port(), Transport.SOCKJS_WEBSOCKET, api.claim(uniqueName("sj")));
            // read as a browser does, all along: a close frame left unread in the socket's buffer
            // may be thrown away with it when the ended process's connection is reset
            RawStompSocket reading = webSocket;
            webSocketEnd = CompletableFuture.supplyAsync(() -> reading.drain(Duration.ofSeconds(30)));
        }
        finally {
            server.close(); // SIGTERM: Spring's graceful shutdown
        }
        RawStompSocket.Drained ended = webSocketEnd.get(40, TimeUnit.SECONDS);
        assertThat(ended.closeCode()).as("plain WebSocket: %s", ended)
            .isEqualTo(CloseStatus.SERVICE_RESTARTED.getCode());
        assertThat(sockJs.awaitClosed().getCode()).as("SockJS").isEqualTo(CloseStatus.SERVICE_RESTARTED.getCode());
    }
}
