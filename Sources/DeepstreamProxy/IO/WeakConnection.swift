/// A weak reference to a connection for the proxy's registry: the registry must not keep a finished
/// connection alive (the pipelines own it). Only touched on the connection's event loop (it travels
/// inside a `NIOLoopBound`).
final class WeakConnection {
    weak var value: ProxiedConnection?
}
