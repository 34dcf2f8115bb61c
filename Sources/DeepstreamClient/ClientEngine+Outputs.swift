import DeepstreamProtocol

/// Performing the pure values' outputs and routing what the server sent: the glue between
/// ``ConnectionStateMachine``, ``OutgoingCalls``, ``ProviderRegistry`` and ``ServedCalls``.
extension ClientEngine {
    // MARK: Connection state machine

    func apply(_ outputs: [ConnectionStateMachine.Output]) {
        for output in outputs {
            switch output {
            case .openSocket(let url): openSocket(url)
            case .send(let message): send(message)
            case .closeSocket: dropSocket()
            case .armTimer(let timer, let delay): arm(.engine(timer), after: delay)
            case .cancelTimer(let timer): cancelTimer(.engine(timer))
            case .stateChanged(let from, let to):
                logger.debug("state \(from.rawValue) -> \(to.rawValue)")
                emit(.stateChanged(from: from, to: to, at: timestamp()))
            case .loggedIn(let clientData, let completesLogin):
                emit(.loggedIn(clientData: clientData, at: timestamp()))
                if completesLogin { resolveLogin(.success(clientData)) }
                apply(providers.loggedIn())
                for message in calls.flushBuffer() { send(message) }
            case .loginFailed(let error):
                if case .rejected(let reason) = error { emit(.loginFailed(reason: reason, at: timestamp())) }
                resolveLogin(.failure(error))
            case .connectionLost:
                for call in calls.connectionLost() { finish(call, .failure(.clientOffline)) }
                apply(served.abandonAll())
            case .offlineBufferExpired:
                for call in calls.expireBuffer() { finish(call, .failure(.clientOffline)) }
            case .stopped:
                for call in calls.endAll() { finish(call, .failure(.clientOffline)) }
                apply(served.abandonAll())
                providers.connectionLost()
                cancelTimer(.engine(.subscriptionBatch))
            case .error(let kind, let message):
                logger.debug("\(kind): \(message)")
                emit(.error(kind: kind, message: message, at: timestamp()))
            }
        }
    }

    // MARK: Provider side

    func apply(_ outputs: [ProviderRegistry.Output]) {
        for output in outputs {
            switch output {
            case .send(let message): send(message)
            case .armBatchTimer(let delay): arm(.engine(.subscriptionBatch), after: delay)
            case .acknowledged(let name, let provided):
                emit(.providerAcknowledged(name: name, provided: provided, at: timestamp()))
            case .refused(let name, let reason):
                if !providers.provides(name) { handlers[name] = nil }
                emit(.providerRefused(name: name, reason: reason, at: timestamp()))
            case .error(let kind, let message):
                emit(.error(kind: kind, message: message, at: timestamp()))
            }
        }
    }

    func apply(_ outputs: [ServedCalls.Output]) {
        for output in outputs {
            switch output {
            case .send(let message):
                send(message)
            case .step(let cid, let name, let step, let requestor):
                emit(.servedCall(
                    CallEvent(call: CallID(requestor: nil, correlationId: cid), name: name, step: step, at: timestamp()),
                    requestor: requestor))
            case .error(let kind, let message):
                emit(.error(kind: kind, message: message, at: timestamp()))
            case .invoke(let name, let cid, let data, let requestor):
                invoke(name, correlationId: cid, data: data, requestor: requestor)
            }
        }
    }

    private func invoke(_ name: String, correlationId cid: String, data: JSONValue?, requestor: RequestorDetails?) {
        let response = RPCResponse(name: name, correlationId: cid, connection: connectionID, sink: responseSink)
        switch handlers[name] {
        case .handler(let handler)?:
            handler(data, response, requestor)
            response.performAutoAccept()
        case .body(let body)?:
            response.performAutoAccept()
            let request = RPCRequest(name: name, correlationId: cid, data: data, requestor: requestor)
            own {
                do {
                    response.send(try await body(request))
                } catch let error as RPCProviderError {
                    response.error(error.value)
                } catch {
                    response.error(.string(String(describing: error)))
                }
            }
        case nil:
            // Routed as provided but the handler is gone (refused meanwhile): the server retries
            // another provider.
            response.reject()
        }
    }

    func startDrainingResponses() {
        guard drainTask == nil else { return }
        let responses = self.responses
        drainTask = Task { [weak self] in
            for await envelope in responses {
                guard let self else { return }
                await self.answered(envelope)
            }
        }
    }

    private func answered(_ envelope: RPCResponse.Envelope) {
        let live = envelope.connection == connectionID && connection != nil
        if !live, served.isOpen(envelope.correlationId) {
            logger.debug("response for \(envelope.name) (\(envelope.correlationId)) dropped: its connection is gone")
        }
        apply(served.answered(envelope, live: live))
    }

    // MARK: Inbound

    func received(_ message: Message) {
        // Every message refreshes the liveness clock; CONNECTION and AUTH drive the machine.
        apply(machine.on(.received(message), now: elapsed()))
        switch message {
        case .connection, .auth: break
        case .rpc(let m):
            guard machine.state == .open else {
                emit(.error(kind: "UNEXPECTED_MESSAGE", message: "RPC \(m.action.name) before login", at: timestamp()))
                return
            }
            receivedRPC(m)
        case .parser(let m):
            emit(.error(kind: m.action.name, message: "PARSER \(m.action.name) \(m.data ?? "")", at: timestamp()))
        case .other(let topic, _):
            emit(.error(kind: "UNKNOWN_TOPIC", message: "message of topic \(topic.name)", at: timestamp()))
        }
    }

    private func receivedRPC(_ m: RPCMessage) {
        switch m.action {
        case .request:
            apply(served.received(m, route: providers.route(m)))
        case .provide, .unprovide, .multipleProviders:
            apply(providers.received(m))
        case .messageDenied where m.originalAction == .provide, .messagePermissionError where m.originalAction == .provide:
            apply(providers.received(m))
        case .accept, .response, .requestError, .noRPCProvider, .acceptTimeout, .responseTimeout,
            .messageDenied, .messagePermissionError, .invalidMessageData:
            replyReceived(m)
        case .invalidRPCCorrelationID, .multipleAccept, .multipleResponse, .notProvided:
            emit(.error(
                kind: m.action.name,
                message: "\(m.action.name) for \(m.name ?? "-") (\(m.correlationId ?? "-"))", at: timestamp()))
        default:
            emit(.error(kind: "UNKNOWN_ACTION", message: "unexpected RPC \(m.action.name)", at: timestamp()))
        }
    }

    // MARK: Requestor side

    private func replyReceived(_ m: RPCMessage) {
        switch calls.received(m) {
        case .accepted(let call):
            emit(.outgoingCall(CallEvent(
                call: CallID(requestor: nil, correlationId: call.correlationId), name: call.name,
                step: .accepted(by: .unidentified), at: timestamp())))
        case .settled(let call, let result):
            let step: CallStep =
                switch m.action {
                case .response: .responded(data: m.data)
                case .requestError: .errored(data: m.data)
                default: .failed(reason: m.action)
                }
            finish(call, result, step: step)
        case .late:
            logger.debug("late \(m.action.name) for \(m.correlationId ?? "-") ignored")
        case .unknown:
            emit(.error(
                kind: "UNKNOWN_CORRELATION_ID",
                message: "\(m.action.name) for unknown call \(m.correlationId ?? "-")", at: timestamp()))
        }
    }

    /// Resumes the caller and reports the final step (`step` defaults to an abandonment).
    func finish(_ call: OutgoingCalls.Call, _ result: Result<JSONValue?, RPCError>, step: CallStep? = nil) {
        cancelTimer(.callDeadline(call.correlationId))
        let finalStep: CallStep
        if let step {
            finalStep = step
        } else if case .failure(let error) = result {
            finalStep = .abandoned(reason: error.abandonReason)
        } else {
            finalStep = .responded(data: nil)
        }
        emit(.outgoingCall(CallEvent(
            call: CallID(requestor: nil, correlationId: call.correlationId), name: call.name, step: finalStep,
            at: timestamp())))
        callContinuations.removeValue(forKey: call.correlationId)?.resume(returning: result)
    }

    func endLocally(_ cid: String, _ error: RPCError) {
        guard let call = calls.end(cid) else { return }
        finish(call, .failure(error))
    }

    // MARK: Login, events

    func cancelLogin() {
        guard loginContinuation != nil else { return }
        apply(machine.on(.cancelLogin, now: elapsed()))
        resolveLogin(.failure(.cancelled))
    }

    func resolveLogin(_ result: Result<JSONValue?, LoginError>) {
        loginContinuation?.resume(returning: result)
        loginContinuation = nil
    }

    func emit(_ event: EngineEvent) {
        hub.emit(event)
    }
}
