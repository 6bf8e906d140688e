package dev.crossway.proxy;

/** Makes the interceptor instance for one session. */
@FunctionalInterface
public interface InterceptorFactory {
    Interceptor create(Session session);
}
