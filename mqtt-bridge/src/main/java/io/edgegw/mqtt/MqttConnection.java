package io.edgegw.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's one MQTT connection: it owns the Paho client, connects and reconnects forever
 * with jittered back-off, subscribes to every registered topic filter after each connect, and
 * keeps the gateway's online status: retained {@code {"state":"online","since":...}} on
 * {@link TopicContract#gatewayStatusTopic()} after each connect, {@code {"state":"offline"}} as
 * the Last Will (the broker publishes it when the connection dies without a DISCONNECT) and
 * before a clean {@link #close()}.
 *
 * <p>Threads: the connection's state ({@link State}, back-off, the online status) belongs to one daemon
 * thread, the worker ({@code edgegw-mqtt}), which asserts it ({@link ThreadOwner}). Connection attempts,
 * the connected hooks and status publishing run there, and Paho's connection callbacks (connected, lost,
 * connect failed, subscribed) only hand their event to it. Messages are handed to their handler on Paho's
 * callback thread ({@code MQTT Call: <clientId>}), one at a time in arrival order; nothing thrown there
 * escapes (a throw would drop the connection). Their bookkeeping ({@link Intake}) is shared by that
 * thread, whoever acknowledges and the liveness probe, under its lock. {@link #close()} runs on the
 * caller's thread after stopping the worker.
 */
public final class MqttConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);
  static final int QOS = 1;
  /** MQTT v5 subscription option "Retain Handling": 0 sends the retained messages, 1 only for a new subscription. */
  static final int RETAIN_ALWAYS = 0;
  static final int RETAIN_IF_NEW_SUBSCRIPTION = 1;
  /** How long nothing may arrive, with everything acknowledged, before the session counts as caught up. */
  static final Duration QUIET = Duration.ofSeconds(1);
  static final int FIRST_FAILURE_REASON_CODE = 0x80;
  static final String OFFLINE = "{\"state\":\"offline\"}";

  /**
   * Handles one message. {@code ack} sends the QoS 1 acknowledgement; call it once the message is
   * safely taken in (from any thread): until then the broker keeps the message in the session and
   * delivers it again after a reconnect.
   */
  interface Handler {
    void handle(String topic, byte[] payload, Runnable ack);
  }

  private record Subscription(String filter, Handler handler) {}

  /** Where the worker is with the broker. */
  enum State {
    /** Not connected; an attempt is scheduled (or the connection is closed). */
    WAITING,
    /** A connect attempt is under way. */
    CONNECTING,
    /** Connected; the subscriptions are not acknowledged yet. */
    CONNECTED,
    /** Connected and every subscription acknowledged. */
    SUBSCRIBED
  }

  /**
   * Delivered messages waiting for their acknowledgement, and when messages last arrived and were
   * acknowledged. Paho's callback thread, any thread that acknowledges, the worker and the liveness
   * probe all use it, so it keeps its fields under its lock.
   */
  private static final class Intake {
    /** Bumped by every connect; an acknowledgement counts only for the connection its message came on. */
    @GuardedBy("this")
    private int connection;
    @GuardedBy("this")
    private int unacknowledged;
    @GuardedBy("this")
    private long lastArrivalNanos;
    @GuardedBy("this")
    private long lastAckNanos = System.nanoTime();

    /** A new connection: acknowledgements of the last one's messages are moot now. */
    synchronized int newConnection() {
      unacknowledged = 0;
      return ++connection;
    }

    synchronized int connection() {
      return connection;
    }

    /** A message arrived; {@code awaitsAck}: it is counted until acknowledged. Returns its connection. */
    synchronized int arrived(boolean awaitsAck) {
      long now = System.nanoTime();
      lastArrivalNanos = now;
      if (awaitsAck && unacknowledged++ == 0) {
        lastAckNanos = now; // the wait for an acknowledgement starts now
      }
      return connection;
    }

    synchronized void acknowledged(int arrivedOn) {
      lastAckNanos = System.nanoTime();
      if (connection == arrivedOn) {
        unacknowledged--;
      }
    }

    /** Everything acknowledged and nothing arrived for {@code quiet}. */
    synchronized boolean quiet(Duration quiet) {
      return unacknowledged == 0 && System.nanoTime() - lastArrivalNanos >= quiet.toNanos();
    }

    synchronized Progress progress(boolean closed, boolean connected, long lastProgressNanos) {
      return new Progress(closed, connected, lastProgressNanos, unacknowledged, lastAckNanos);
    }
  }

  /** Slack on top of the longest a healthy connection goes without progress (a back-off step and a connect). */
  static final Duration STUCK_GRACE = Duration.ofSeconds(30);

  /**
   * The longest a delivered message may wait for its acknowledgement (it is stored by then) before intake counts as
   * stuck.
   */
  static final Duration ACK_LIMIT = Duration.ofSeconds(120);

  /**
   * What liveness needs to know about the connection, read at one instant (all times from
   * {@link System#nanoTime()}).
   *
   * @param closed closed, or not started yet: nothing is expected of it
   * @param connected connected and subscribed
   * @param lastProgressNanos when a connect attempt last ended (either way), the connection was
   *     lost, or the subscriptions were acknowledged
   * @param unacknowledged delivered messages still waiting to be stored and acknowledged
   * @param lastAckNanos when the last acknowledgement was sent, or the first of the waiting messages arrived
   */
  record Progress(boolean closed, boolean connected, long lastProgressNanos, int unacknowledged, long lastAckNanos) {
    /**
     * Why intake is stuck, if it is. A broker that is merely unreachable is not: attempts keep ending
     * (offline autonomy is a normal state). Stuck is when no attempt ends for longer than the back-off
     * cap plus the connect timeout (plus {@link #STUCK_GRACE}), or delivered messages stay
     * unacknowledged for {@link #ACK_LIMIT}.
     */
    Optional<String> stuck(long nowNanos, Duration maxReconnectDelay, Duration connectTimeout) {
      if (closed) {
        return Optional.empty();
      }
      Duration attemptLimit = maxReconnectDelay.plus(connectTimeout).plus(STUCK_GRACE);
      long sinceProgress = nowNanos - lastProgressNanos;
      if (!connected && sinceProgress > attemptLimit.toNanos()) {
        return Optional.of("MQTT: not connected, and no connect attempt ended for "
            + TimeUnit.NANOSECONDS.toSeconds(sinceProgress) + " s (one ends at least every "
            + attemptLimit.toSeconds() + " s while reconnecting)");
      }
      long sinceAck = nowNanos - lastAckNanos;
      if (unacknowledged > 0 && sinceAck > ACK_LIMIT.toNanos()) {
        return Optional.of("MQTT: " + unacknowledged + " delivered message(s) not stored and acknowledged for "
            + TimeUnit.NANOSECONDS.toSeconds(sinceAck) + " s");
      }
      return Optional.empty();
    }
  }

  private final MqttSettings settings;
  private final TopicContract topics;
  private final Clock clock;
  private final RandomGenerator random;
  private final Backoff backoff;
  private final MqttConnectionOptions options;
  private final MqttAsyncClient client;
  private final ScheduledExecutorService worker;
  // Registered before start() and only read after it (start() hands them to the worker, and the worker
  // starts Paho's threads), so plain lists.
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final List<Runnable> connectedHooks = new ArrayList<>();
  private final List<Runnable> closingHooks = new ArrayList<>();
  private final AtomicBoolean started = new AtomicBoolean();
  /** Set once by close(); every thread reads it. */
  private volatile boolean closed;
  private final Intake intake = new Intake();
  /** What the online/offline messages say besides the state (labels, versions); read at each announcement. */
  private volatile Supplier<GatewayAnnouncement.Identity> identity = () -> GatewayAnnouncement.Identity.NONE;

  // ---- The worker's: only the edgegw-mqtt thread touches these (owner.check()). ----
  private final ThreadOwner owner = new ThreadOwner("the MQTT connection's state");
  /** How far reconnects have backed off; grows with each failure, reset by a connection that lasted. */
  private int backOffLevel;
  private int failuresSinceConnected;
  /** At most one attempt is ever waiting, whichever event (failure, lost connection) asked first. */
  private boolean attemptScheduled;
  private long connectedAtNanos;
  private String lastLoggedFailure = "";
  private Instant onlineSince;
  // Written by the worker (lastProgressNanos also once by start(), before the worker runs); volatile
  // because isConnected(), stuck() and close() read them on other threads.
  private volatile State state = State.WAITING;
  private volatile long lastProgressNanos = System.nanoTime();
  private volatile IMqttToken pendingConnect;

  /** With the system clock (for the online status's {@code since}) and the default random generator. */
  public MqttConnection(MqttSettings settings, TopicContract topics) {
    this(settings, topics, Clock.systemUTC(), RandomGenerator.getDefault());
  }

  /**
   * @param clock stamps {@code since} in the online status
   * @param random draws the reconnect jitter; used from one thread at a time
   */
  public MqttConnection(MqttSettings settings, TopicContract topics, Clock clock, RandomGenerator random) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.topics = Objects.requireNonNull(topics, "topics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.backoff = new Backoff(Backoff.FIRST, settings.maxReconnectDelay());
    this.options = PahoOptions.of(settings, true);
    MqttMessage will = new MqttMessage(OFFLINE.getBytes(StandardCharsets.UTF_8));
    will.setQos(QOS);
    will.setRetained(true);
    options.setWill(topics.gatewayStatusTopic(), will);
    try {
      // In-memory: a file store would write into the working directory, and the broker's
      // retained messages are the durable copy anyway.
      this.client = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
      // Handlers acknowledge: the broker drops a message from the session only once it is stored.
      this.client.setManualAcks(true);
    } catch (MqttException e) {
      throw new IllegalArgumentException("cannot create an MQTT client for " + settings.serverUri() + ": " + e, e);
    }
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "edgegw-mqtt");
      t.setDaemon(true);
      return t;
    });
  }

  public MqttSettings settings() {
    return settings;
  }

  public TopicContract topics() {
    return topics;
  }

  /**
   * Adds the gateway's labels and versions to its online and offline messages (see
   * {@link GatewayAnnouncement}); call before {@link #start()}, whose Will is taken from it then.
   */
  public void describeWith(Supplier<GatewayAnnouncement.Identity> identity) {
    this.identity = Objects.requireNonNull(identity, "identity");
  }

  /** Publishes the online message again (same {@code since}), e.g. after the served version changed. */
  public void announce() {
    execute(() -> {
      owner.check();
      if (onlineSince != null && client.isConnected() && !closed) {
        announceOnline();
      }
    });
  }

  /** Starts connecting in the background and returns at once. May be called once. */
  public void start() {
    if (closed || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("an MQTT connection starts once and not after close()");
    }
    MqttMessage will = new MqttMessage(GatewayAnnouncement.offline(identity.get()).toJson());
    will.setQos(QOS);
    will.setRetained(true);
    options.setWill(topics.gatewayStatusTopic(), will);
    client.setCallback(new Callback());
    lastProgressNanos = System.nanoTime();
    log.info("mqtt: connecting to {} as {}; subscribing to {}; status on {}", settings.serverUri(),
        settings.clientId(), subscriptions.stream().map(Subscription::filter).toList(), topics.gatewayStatusTopic());
    worker.execute(this::attemptConnect);
  }

  /** True while connected with every subscription acknowledged by the broker. */
  public boolean isConnected() {
    return !closed && state == State.SUBSCRIBED && client.isConnected();
  }

  /**
   * Why the connection's intake is stuck (see {@link Progress#stuck}), or empty while it works or
   * keeps trying to reconnect. Safe from any thread.
   */
  public Optional<String> stuck() {
    return progress().stuck(System.nanoTime(), settings.maxReconnectDelay(), settings.connectTimeout());
  }

  Progress progress() {
    return intake.progress(closed || !started.get(), isConnected(), lastProgressNanos);
  }

  /**
   * Sends what waits to be published (statuses), then retained {@code {"state":"offline"}}, then
   * disconnects cleanly (the broker keeps the session and discards the Will) and stops
   * reconnecting. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    worker.shutdownNow();
    long waitMillis = settings.connectTimeout().toMillis() + 1000;
    try {
      worker.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
      IMqttToken connecting = pendingConnect;
      if (connecting != null && !connecting.isComplete()) {
        // Paho refuses to close a client in the middle of a connect; let the attempt finish.
        connecting.waitForCompletion(waitMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (MqttException e) {
      log.debug("mqtt: connect attempt ended during close: {}", PahoOptions.describe(e));
    }
    if (client.isConnected()) {
      for (Runnable hook : closingHooks) {
        runQuietly(hook);
      }
      announceOffline();
    }
    try {
      if (client.isConnected()) {
        client.disconnect(1000).waitForCompletion(2000);
      }
    } catch (MqttException e) {
      log.debug("mqtt: clean disconnect failed, forcing: {}", PahoOptions.describe(e));
      forceDisconnect();
    }
    try {
      client.close();
    } catch (MqttException e) {
      forceDisconnect();
      try {
        client.close(true);
      } catch (MqttException again) {
        log.warn("mqtt: could not release the client for {}: {}", settings.serverUri(), PahoOptions.describe(again));
      }
    }
    log.info("mqtt: closed connection to {}", settings.serverUri());
  }

  /** Messages on topics matching {@code filter} go to {@code handler}; before {@link #start()}. */
  void subscribe(String filter, Handler handler) {
    MqttTopicValidator.validate(filter, true, true);
    if (started.get()) {
      throw new IllegalStateException("subscribe before start(): " + filter);
    }
    subscriptions.add(new Subscription(filter, Objects.requireNonNull(handler, "handler")));
  }

  /** Runs {@code hook} on the worker thread after every successful connect; before {@link #start()}. */
  void onConnected(Runnable hook) {
    notStarted("onConnected");
    connectedHooks.add(Objects.requireNonNull(hook, "hook"));
  }

  /**
   * Runs {@code hook} on the closing thread, while still connected, before the offline status; before
   * {@link #start()}.
   */
  void onClosing(Runnable hook) {
    notStarted("onClosing");
    closingHooks.add(Objects.requireNonNull(hook, "hook"));
  }

  private void notStarted(String what) {
    if (started.get()) {
      throw new IllegalStateException(what + " before start()");
    }
  }

  /** True while the network connection is up, subscribed or not (and during close, until it disconnects). */
  boolean canPublish() {
    return client.isConnected();
  }

  /** Runs {@code task} on the worker thread, soon; dropped after close(). */
  void execute(Runnable task) {
    schedule(task, Duration.ZERO);
  }

  void schedule(Runnable task, Duration delay) {
    try {
      worker.schedule(() -> runQuietly(task), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // close() shut the worker down; close() flushes by itself.
    }
  }

  /** Hands a retained QoS 1 message to Paho; {@code listener} learns the outcome. */
  IMqttToken publishRetained(String topic, byte[] payload, MqttActionListener listener) throws MqttException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(QOS);
    message.setRetained(true);
    return client.publish(topic, message, null, listener);
  }

  private void announceOnline() {
    owner.check();
    byte[] online = GatewayAnnouncement.online(onlineSince, identity.get()).toJson();
    try {
      publishRetained(topics.gatewayStatusTopic(), online, null);
    } catch (MqttException | RuntimeException e) {
      log.warn(
          "mqtt: cannot publish the online status to {}: {}",
          topics.gatewayStatusTopic(),
          PahoOptions.describe(e));
    }
  }

  private void announceOffline() {
    try {
      publishRetained(topics.gatewayStatusTopic(), GatewayAnnouncement.offline(identity.get()).toJson(), null)
          .waitForCompletion(1000);
    } catch (MqttException | RuntimeException e) {
      log.warn(
          "mqtt: cannot publish the offline status to {}: {}",
          topics.gatewayStatusTopic(),
          PahoOptions.describe(e));
    }
  }

  private static void runQuietly(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.error("mqtt: background task failed", e);
    }
  }

  private void forceDisconnect() {
    try {
      client.disconnectForcibly(0, 1000, false);
    } catch (MqttException e) {
      log.debug("mqtt: forced disconnect: {}", PahoOptions.describe(e));
    }
  }

  private void attemptConnect() {
    owner.check();
    attemptScheduled = false;
    if (closed || client.isConnected()) {
      return;
    }
    try {
      state = State.CONNECTING;
      pendingConnect = client.connect(options, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          // connectComplete subscribes; it runs for every successful connect.
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
          execute(() -> connectFailed(e));
        }
      });
    } catch (MqttException e) {
      if (e.getReasonCode() == MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS
          || e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_CONNECTED) {
        return; // the attempt under way reports its own outcome
      }
      connectFailed(e);
    } catch (RuntimeException e) {
      connectFailed(e);
    }
  }

  private void connectFailed(Throwable e) {
    owner.check();
    state = State.WAITING;
    lastProgressNanos = System.nanoTime();
    if (closed) {
      return;
    }
    int attempt = ++backOffLevel;
    failuresSinceConnected++;
    Duration delay = nextDelay(attempt);
    String why = PahoOptions.describe(e);
    // One WARN per distinct problem; repeats of it go to DEBUG so a long outage does not flood the log.
    if (!why.equals(lastLoggedFailure)) {
      lastLoggedFailure = why;
      log.warn("mqtt: cannot connect to {}: {}; retrying with back-off up to {}s",
          settings.serverUri(), why, settings.maxReconnectDelay().toSeconds());
    } else {
      log.debug("mqtt: attempt {} to connect to {} failed: {}; next in {} ms",
          attempt, settings.serverUri(), why, delay.toMillis());
    }
    scheduleAttempt(delay);
  }

  private Duration nextDelay(int attempt) {
    owner.check(); // the only user of random
    return backoff.delay(attempt, random);
  }

  private void scheduleAttempt(Duration delay) {
    owner.check();
    if (attemptScheduled) {
      return;
    }
    attemptScheduled = true;
    try {
      worker.schedule(this::attemptConnect, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // close() shut the worker down; nothing left to do.
    }
  }

  /**
   * Subscribes after a connect with retained messages only for a new subscription (a new or lost
   * session): when the broker kept the session it delivers what it queued meanwhile, in order, and
   * retained messages sent at the same time would interleave with that queue's tail, so an older
   * queued update could overwrite the newer retained one. Once the session has caught up (see
   * {@link #resyncWhenQuiet}), a second subscribe asks for every retained message: the full resync
   * that also repairs updates the broker dropped from an overflowing queue.
   */
  private void subscribeAll() {
    owner.check();
    if (subscriptions.isEmpty()) {
      state = State.SUBSCRIBED;
      return;
    }
    try {
      client.subscribe(subscriptionsWith(RETAIN_IF_NEW_SUBSCRIPTION), null, new SubscribeOutcome(),
          new MqttProperties());
    } catch (MqttException | RuntimeException e) {
      subscriptionFailed(PahoOptions.describe(e));
    }
  }

  private MqttSubscription[] subscriptionsWith(int retainHandling) {
    return subscriptions.stream().map(s -> {
      MqttSubscription subscription = new MqttSubscription(s.filter(), QOS);
      subscription.setRetainHandling(retainHandling);
      return subscription;
    }).toArray(MqttSubscription[]::new);
  }

  /**
   * The session has caught up when every delivered message is acknowledged and nothing arrived for
   * {@link #QUIET}: with free in-flight slots the broker would have sent whatever it still queued.
   * Then every retained message is asked for again, once per connection.
   */
  private void resyncWhenQuiet(int forConnection) {
    owner.check();
    if (closed || forConnection != intake.connection() || !isConnected()) {
      return;
    }
    if (!intake.quiet(QUIET)) {
      schedule(() -> resyncWhenQuiet(forConnection), QUIET.dividedBy(2));
      return;
    }
    try {
      client.subscribe(subscriptionsWith(RETAIN_ALWAYS), null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          log.info("mqtt: caught up with the session; the broker now sends every retained resource again");
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
          log.warn("mqtt: resync from retained messages failed: {}", PahoOptions.describe(e));
        }
      }, new MqttProperties());
    } catch (MqttException | RuntimeException e) {
      log.warn("mqtt: resync from retained messages failed: {}", PahoOptions.describe(e));
    }
  }

  private String filters() {
    return String.join(", ", subscriptions.stream().map(Subscription::filter).toList());
  }

  /**
   * Paho reports a refused subscription as success with a failure reason code in the SUBACK. Paho calls
   * it on its thread; the outcome is handled on the worker.
   */
  private final class SubscribeOutcome implements MqttActionListener {
    @Override
    public void onSuccess(IMqttToken token) {
      execute(() -> subscribed(token));
    }

    @Override
    public void onFailure(IMqttToken token, Throwable e) {
      execute(() -> subscriptionFailed(PahoOptions.describe(e)));
    }

    private void subscribed(IMqttToken token) {
      owner.check();
      if (closed || state != State.CONNECTED) {
        return; // the connection this subscription was for is gone
      }
      int[] codes = token.getReasonCodes();
      for (int i = 0; codes != null && i < codes.length; i++) {
        if (codes[i] >= FIRST_FAILURE_REASON_CODE) {
          subscriptionFailed("broker refused " + (i < subscriptions.size() ? subscriptions.get(i).filter() : "it")
              + " with reason code 0x" + Integer.toHexString(codes[i]));
          return;
        }
      }
      state = State.SUBSCRIBED;
      lastProgressNanos = System.nanoTime();
      log.info("mqtt: subscribed to {}; the broker sends what it queued for the session, or every retained"
          + " resource when the session is new", filters());
      int current = intake.connection();
      schedule(() -> resyncWhenQuiet(current), QUIET);
    }
  }

  /** Without its subscriptions the connection is useless: drop it and go through the reconnect path. */
  private void subscriptionFailed(String why) {
    owner.check();
    log.error("mqtt: cannot subscribe to {}: {}; reconnecting", filters(), why);
    BrokerException failure = new BrokerException("subscription to " + filters() + " failed: " + why);
    try {
      client.disconnect(0, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          execute(() -> connectFailed(failure));
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
          execute(() -> connectFailed(failure));
        }
      }, 0, new MqttProperties());
    } catch (MqttException e) {
      connectFailed(failure);
    }
  }

  private void dispatch(String topic, byte[] payload, Runnable ack) {
    for (Subscription s : subscriptions) {
      if (MqttTopicValidator.isMatched(s.filter(), topic)) {
        s.handler().handle(topic, payload, ack);
        return;
      }
    }
    log.debug("mqtt: message on {} matches no subscription; ignored", topic);
    ack.run();
  }

  /**
   * The acknowledgement of one received message, sent at most once. After a reconnect the broker
   * delivers an unacknowledged message again under the same id, so a late acknowledgement still
   * concerns that same message.
   */
  private Runnable ackOf(MqttMessage message) {
    int arrivedOn = intake.arrived(message.getQos() != 0);
    if (message.getQos() == 0) {
      return () -> {};
    }
    AtomicBoolean sent = new AtomicBoolean();
    int id = message.getId();
    int qos = message.getQos();
    return () -> {
      if (sent.compareAndSet(false, true)) {
        intake.acknowledged(arrivedOn);
        try {
          client.messageArrivedComplete(id, qos);
        } catch (MqttException | RuntimeException e) {
          log.debug("mqtt: cannot acknowledge message {} (it comes again after the reconnect): {}", id,
              PahoOptions.describe(e));
        }
      }
    };
  }

  /** On the worker, for every successful connect. */
  private void connected(String serverUri) {
    owner.check();
    state = State.CONNECTED;
    connectedAtNanos = System.nanoTime();
    lastProgressNanos = connectedAtNanos;
    lastLoggedFailure = "";
    int failures = failuresSinceConnected;
    failuresSinceConnected = 0;
    log.info("mqtt: connected to {}{}", serverUri, failures == 0 ? "" : " after " + failures + " failed attempt(s)");
    if (closed) {
      return;
    }
    onlineSince = clock.instant();
    announceOnline();
    subscribeAll();
    for (Runnable hook : connectedHooks) {
      runQuietly(hook);
    }
  }

  /** On the worker, for every lost connection. */
  private void lost(MqttDisconnectResponse response) {
    owner.check();
    state = State.WAITING;
    lastProgressNanos = System.nanoTime();
    if (closed) {
      return;
    }
    // A connection that lived long enough resets the back-off; one that drops at once (for
    // example another client taking over the session id) keeps backing off.
    boolean lastedLong = System.nanoTime() - connectedAtNanos >= settings.maxReconnectDelay().toNanos();
    if (lastedLong) {
      backOffLevel = 0;
    }
    Duration delay = nextDelay(++backOffLevel);
    log.warn("mqtt: lost connection to {}: {}; reconnecting in {} ms",
        settings.serverUri(), describe(response), delay.toMillis());
    scheduleAttempt(delay);
  }

  private static String describe(MqttDisconnectResponse response) {
    if (response == null) {
      return "no reason given";
    }
    if (response.getException() != null) {
      return PahoOptions.describe(response.getException());
    }
    return "broker sent DISCONNECT with reason code 0x" + Integer.toHexString(response.getReturnCode())
        + (response.getReasonString() == null ? "" : " (" + response.getReasonString() + ")");
  }

  /**
   * Paho calls these on its own threads; none of them may throw. Connection events go to the worker;
   * messages are handled here, in arrival order.
   */
  private final class Callback implements MqttCallback {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      // Now, before this connection's messages arrive on this thread: their acknowledgements count
      // for it, and those of the last connection's messages no longer do.
      intake.newConnection();
      execute(() -> connected(serverUri));
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      execute(() -> lost(response));
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      Runnable ack = ackOf(message);
      try {
        dispatch(topic, message.getPayload(), ack);
      } catch (RuntimeException e) {
        log.error("mqtt: handling a message on {} failed; message dropped", topic, e);
        ack.run(); // a message that breaks the handler must not come back forever
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      log.warn("mqtt: client error: {}", PahoOptions.describe(e));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
