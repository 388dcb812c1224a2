package dev.parley.config;

import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/** Applies {@code chat.memory.*} to the JVM once the application has started ({@link HeapSizing}). */
@Configuration(proxyBeanMethods = false)
class MemoryConfiguration {

    private final ChatProperties properties;

    MemoryConfiguration(ChatProperties properties) {
        this.properties = properties;
    }

    @EventListener
    void applyHeapSizing(ApplicationStartedEvent event) {
        HeapSizing.apply(this.properties.memory());
    }
}
