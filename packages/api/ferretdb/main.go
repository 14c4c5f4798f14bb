// Command ferretdb runs FerretDB 1.24.2 (SQLite backend) embedded in a main
// module of our own.
//
// Why a wrapper instead of `go install .../cmd/ferretdb`: FerretDB's own command
// panics at init when built outside its Taskfile (build/version/version.txt is
// missing from the module zip). Embedding the public ferretdb package sidesteps
// that, forces telemetry off and writes no state.json.
//
// It prints one line, `ready <mongodb-uri>`, on stdout once it accepts
// connections, and exits on SIGINT/SIGTERM or, with -watch-stdin, when its
// stdin closes (its parent died), so a killed test run leaves no orphan.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on; port 0 picks a free one")
	dataDir := flag.String("data-dir", ".data/ferretdb", "directory for the SQLite files (one per database)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", false, "exit when stdin reaches EOF")
	flag.Parse()

	if err := run(*listen, *dataDir, *logLevel, *watchStdin); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, logLevel string, watchStdin bool) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", logLevel, err)
	}

	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	if err = os.MkdirAll(abs, 0o755); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Logger:   slog.New(&lazyAttrs{base: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})}),
		Handler:  "sqlite",
		// synchronous(full): an acknowledged write survives power loss, not only a
		// crash of this process (WAL alone already covers the latter).
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(full)",
	})
	if err != nil {
		return err
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// MongoDBURI blocks until the listener is up, so "ready" means ready.
	fmt.Println("ready " + f.MongoDBURI())

	return <-done
}

// lazyAttrs is a slog.Handler that applies Logger.With's attributes (and
// groups) only when a record is written. slog's TextHandler formats them at
// once, and FerretDB's SQL layer (internal/util/fsql, Tx.ExecContext and
// QueryContext) calls With(slog.Any("args", args)) twice on every statement,
// before its Debug call finds debug logging off: an insert of 100 documents
// formatted and quoted each document's JSON twice for nothing. On an import
// (bench:import) that was about a fifth of FerretDB's CPU.
type lazyAttrs struct {
	base slog.Handler
	with []func(slog.Handler) slog.Handler
}

func (h *lazyAttrs) Enabled(ctx context.Context, l slog.Level) bool {
	return h.base.Enabled(ctx, l)
}

func (h *lazyAttrs) Handle(ctx context.Context, r slog.Record) error {
	b := h.base
	for _, w := range h.with {
		b = w(b)
	}

	return b.Handle(ctx, r)
}

func (h *lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}

	return &lazyAttrs{base: h.base, with: append(slices.Clip(h.with), func(b slog.Handler) slog.Handler { return b.WithAttrs(attrs) })}
}

func (h *lazyAttrs) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}

	return &lazyAttrs{base: h.base, with: append(slices.Clip(h.with), func(b slog.Handler) slog.Handler { return b.WithGroup(name) })}
}
