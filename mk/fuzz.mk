# SPDX-License-Identifier: MIT
# mk/fuzz.mk - the long fuzzing run and the fuzzers' line coverage, included by the Makefile
# (doc/security.md, doc/testing.md). CI runs the short `make fuzz FUZZ_TIME=60` only.
#   make fuzz-long   10 million differential deflate inputs, then every harness until FUZZ_LONG_RUNS executions (10 million) or FUZZ_LONG_TIME
#                    seconds (an hour), whichever comes first, from its seeds and build/fuzz/corpus_NAME;
#                    executions, edges and corpus per harness in build/fuzz/long.txt
#   make fuzz-cov    every harness rebuilt with clang's source-based coverage and run once over its
#                    seeds and what the fuzzers found; line coverage per harness and per directory of
#                    src/ in build/fuzz-cov/report.txt (FUZZ_COV_SEEDS_ONLY=1: the seeds alone)

FUZZ_LONG_RUNS ?= 10000000
FUZZ_LONG_TIME ?= 3600
LLVM_PROFDATA  ?= llvm-profdata
LLVM_COV       ?= llvm-cov
COV_DIR         = build/fuzz-cov
COV_BIN         = $(FUZZ_SRC:tests/fuzz/%.c=$(COV_DIR)/%)

# the options every run of a harness takes: its dictionary, if it has one
fuzz_dict = $$( [ -f tests/fuzz/$$name.dict ] && echo -dict=tests/fuzz/$$name.dict)

# first ten million inputs through the differential deflate test (deflate_small.c against zlib,
# byte for byte; about 10 minutes of one core), then every harness
fuzz-long: $(FUZZ_BIN) build/tests/test_deflate
	DEFLATE_DIFF_N=10000000 ./build/tests/test_deflate | grep -v '^ok'
	@printf '%-8s %12s %8s %8s %8s %s\n' harness executions exec/s edges features corpus >build/fuzz/long.txt
	@for f in $(FUZZ_BIN); do \
		name=$${f##*/fuzz_}; mkdir -p build/fuzz/corpus_$$name; \
		echo "== $$f: $(FUZZ_LONG_RUNS) executions or $(FUZZ_LONG_TIME) s"; \
		$$f -runs=$(FUZZ_LONG_RUNS) -max_total_time=$(FUZZ_LONG_TIME) -max_len=8192 -print_final_stats=1 \
			$(fuzz_dict) build/fuzz/corpus_$$name tests/fuzz/corpus_$$name \
			2>build/fuzz/$$name-long.log || { tail -40 build/fuzz/$$name-long.log; exit 1; }; \
		last=$$(grep -E '^#[0-9]+' build/fuzz/$$name-long.log | tail -1); \
		printf '%-8s %12s %8s %8s %8s %s\n' $$name \
			$$(sed -n 's/^stat::number_of_executed_units: //p' build/fuzz/$$name-long.log) \
			$$(sed -n 's/^stat::average_exec_per_sec: //p' build/fuzz/$$name-long.log) \
			$$(echo "$$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p') \
			$$(echo "$$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p') \
			$$(echo "$$last" | sed -n 's/.* corp: \([^ ]*\).*/\1/p') >>build/fuzz/long.txt; \
	done
	@cat build/fuzz/long.txt

$(COV_DIR)/%: tests/fuzz/%.c $(FUZZ_DEPS) $(wildcard src/*/*.h)
	@mkdir -p $(COV_DIR)
	clang $(CPPFLAGS) $(INI_CFLAGS) -g -O0 -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
		-o $@ $< $(FUZZ_DEPS) $(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

# One line per harness and directory: lines, lines missed, line coverage (llvm-cov's TOTAL row).
fuzz-cov: $(COV_BIN)
	@printf '%-8s %-15s %6s %6s %7s\n' harness directory lines missed cover >$(COV_DIR)/report.txt
	@for f in $(COV_BIN); do \
		name=$${f##*/fuzz_}; found=; \
		[ -z "$(FUZZ_COV_SEEDS_ONLY)" ] && [ -d build/fuzz/corpus_$$name ] && found=build/fuzz/corpus_$$name; \
		rm -f $(COV_DIR)/$$name.profraw; \
		LLVM_PROFILE_FILE=$(COV_DIR)/$$name.profraw $$f -runs=0 -max_len=8192 tests/fuzz/corpus_$$name $$found \
			>$(COV_DIR)/$$name.log 2>&1 || { tail -20 $(COV_DIR)/$$name.log; exit 1; }; \
		$(LLVM_PROFDATA) merge -sparse -o $(COV_DIR)/$$name.profdata $(COV_DIR)/$$name.profraw || exit 1; \
		row() { d=$$1; shift; $(LLVM_COV) report $$f -instr-profile=$(COV_DIR)/$$name.profdata "$$@" | \
			awk -v h=$$name -v d=$$d '$$1 == "TOTAL" { printf "%-8s %-15s %6s %6s %7s\n", h, d, $$8, $$9, $$10 }' \
			>>$(COV_DIR)/report.txt; }; \
		srv="$(filter-out src/server/main.c,$(SERVER_SRC))"; \
		row server-rooms $$srv; row common+config $(COMMON_SRC); row src/token src/token/*.c; \
		row server+common $$srv $(COMMON_SRC); \
	done
	@cat $(COV_DIR)/report.txt

.PHONY: fuzz-long fuzz-cov
