# rstscope: who reset this TCP connection, and why.
# Targets: all demo check bench fuzz man install clean. Objects go to $(O).
O       ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2
CPPFLAGS += -D_GNU_SOURCE -Isrc
LDLIBS  += -lpcap -lmnl -ljansson -lm

SRCS    := $(shell find src -name '*.c' | sort)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
OBJS    := $(LIBSRCS:%.c=$(O)/%.o)
DEPS    := $(SRCS:%.c=$(O)/%.d)
UNIT    := $(patsubst tests/unit/%.c,$(O)/tests/%,$(wildcard tests/unit/*.c))
BIN     := $(O)/rstscope

.PHONY: all demo check check-fast check-asan bench bench-proxy fuzz man install clean deps unit samples
all: $(BIN)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c $< -o $@

$(O)/librstscope.a: $(OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(O)/src/main.o $(O)/librstscope.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/%: tests/unit/%.c $(O)/librstscope.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/librstscope.a $(LDLIBS)

unit: $(UNIT)

deps:
	@scripts/deps.sh

# The main job on the captures shipped in the repo.
demo: deps
	@$(MAKE) --no-print-directory all
	@tests/demo.sh $(BIN)

# builds inside check use every CPU (the tests then run one at a time)
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
# All tests: unit, golden, corpus, robustness, fuzz (bounded), lab (root),
# then the whole suite again under ASan/UBSan.
check: deps
	@rm -f $(O)/run-result $(O)-asan/run-result $(FUZZ_O)/clean
	@$(MAKE) --no-print-directory -j$(JOBS) all unit
	@tests/run.sh $(O)
	@$(MAKE) --no-print-directory check-asan
	@cat $(O)/run-result $(O)-asan/run-result | awk -v fz=$$(wc -l <$(FUZZ_O)/clean) \
	  '{p += $$1; f += $$2; s += $$3} END {print "\ncheck: two passes (plain, ASan/UBSan) and " fz " fuzzers"; \
	  printf "check: %d passed, %d failed, %d skipped\n", p + fz, f, s}'

check-fast: all unit
	@tests/run.sh $(O)

check-asan:
	@$(MAKE) --no-print-directory -j$(JOBS) O=$(O)-asan CC=clang \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" all unit
	@RSTSCOPE_ASAN=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run.sh $(O)-asan
	@$(MAKE) --no-print-directory -j$(JOBS) $(FUZZERS)
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$${FUZZ_SECONDS:-10}

FUZZ_SECONDS ?= 60
FUZZ_O  := $(O)-fuzz
FUZZ_CF := -std=c11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJS := $(LIBSRCS:%.c=$(FUZZ_O)/%.o)
FUZZERS := $(patsubst fuzz/%.c,$(FUZZ_O)/%,$(wildcard fuzz/fuzz_*.c))
.SECONDARY: $(FUZZ_OBJS)
$(FUZZ_O)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(FUZZ_CF) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(FUZZ_O)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJS)
	clang $(CPPFLAGS) $(FUZZ_CF) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LDLIBS)
# fuzz_options also compiles the parsers of the subcommands (fuzz/opts/)
$(FUZZ_O)/fuzz_options: fuzz/fuzz_options.c $(wildcard fuzz/opts/*.c) src/cmd/watch.c \
  src/cmd/host.c src/cmd/analyze.c $(FUZZ_OBJS)
	clang $(CPPFLAGS) $(FUZZ_CF) -fsanitize=fuzzer -o $@ $(filter fuzz/%.c,$^) $(FUZZ_OBJS) $(LDLIBS)
# Each harness runs for FUZZ_SECONDS from its seeds; a crash fails the target
# and leaves the reproducer in $(FUZZ_O).
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); mkdir -p $(FUZZ_O)/corpus-$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(FUZZ_O)/ \
	    $(FUZZ_O)/corpus-$$n fuzz/seeds/$$n >$(FUZZ_O)/$$n.log 2>&1 \
	    || { tail -40 $(FUZZ_O)/$$n.log; exit 1; }; \
	  echo "fuzz: $$n clean after $$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_O)/$$n.log) runs"; \
	  echo "$$n" >>$(FUZZ_O)/clean; done

bench: deps all
	@bench/bench.sh $(BIN)

# rstscope proxy between wrk and nginx on loopback for 30 s: rate, memory,
# descriptors, every byte checked
bench-proxy: deps all
	@bench/proxy-load.sh $(BIN) $${PROXY_LOAD_SECONDS:-30}

samples: all
	@lab/record-samples.sh

# Man pages from their scdoc sources (only man and install need scdoc).
MANPAGES := $(patsubst docs/man/%.scd,$(O)/man/%,$(wildcard docs/man/*.scd))
man: $(MANPAGES)
$(O)/man/%: docs/man/%.scd
	@command -v scdoc >/dev/null || { echo "man: scdoc is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	scdoc <$< >$@.tmp && mv $@.tmp $@

install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/rstscope/lab \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/rstscope
	cp -r lab/. $(DESTDIR)$(PREFIX)/share/rstscope/lab/
	install -m 0644 $(MANPAGES) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 scripts/rstscope.bash-completion \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/rstscope

clean:
	rm -rf $(O) $(O)-asan $(FUZZ_O)

# analyze --html embeds its page from these (.incbin: no dependency file names them)
$(O)/src/report/html_page.o $(FUZZ_O)/src/report/html_page.o: src/report/html_page.html \
  src/report/html_page.js

-include $(DEPS) $(FUZZ_OBJS:.o=.d)
