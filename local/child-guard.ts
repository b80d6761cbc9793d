// Preloaded (`node --import`) into every process the runner starts. When the runner goes
// away, however it died (kill -9 included), its end of the IPC channel closes; this process
// then shuts down as if it had been sent SIGTERM, instead of living on as an orphan.
if (process.channel) {
  process.on('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    // A process without a SIGTERM handler is gone already; one whose shutdown hangs is not kept.
    setTimeout(() => process.exit(1), 15_000).unref();
  });
  // Listening for 'disconnect' holds the event loop open; the channel must not keep a finished process alive.
  process.channel.unref();
}
