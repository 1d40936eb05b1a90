// Command ferretdb runs FerretDB with its embedded SQLite backend for local development and tests.
//
// It imports the FerretDB library instead of installing its command, whose bare `go install` panics at
// start-up. Flags: -listen (host:port) and -data (folder for the SQLite files).
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "address to listen on")
	data := flag.String("data", "./ferretdb-data", "folder for the SQLite database files")
	flag.Parse()

	tuneGC()

	if err := os.MkdirAll(*data, 0o755); err != nil {
		log.Fatalf("create data folder: %v", err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Logger:   slog.New(lazyAttrs{next: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})}),
		Handler:  "sqlite",
		// WAL with synchronous=NORMAL (SQLite's advice for WAL: a crash of the process or the OS keeps the
		// files consistent; a power loss may drop the last commits) and a 64 MiB page cache per connection
		// (the default 2 MiB misses on every insert into a large collection's _id index).
		SQLiteURL: "file:" + *data + "/?_pragma=synchronous(normal)&_pragma=cache_size(-65536)",
	})
	if err != nil {
		log.Fatalf("configure ferretdb: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	log.Printf("ferretdb listening on %s, data in %s", *listen, *data)
	if err := f.Run(ctx); err != nil {
		log.Fatalf("ferretdb stopped: %v", err)
	}
}
