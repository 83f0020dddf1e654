# `make modules`: the top-level Kbuild against the installed Debian kernel
# headers (linux-headers-amd64, installed by tests/xen/deps.sh), not the
# running kernel.  KVER=... picks another release.
KVER ?= $(shell bash mk/kver.sh)
KDIR ?= /usr/src/linux-headers-$(KVER)

.PHONY: modules modules-clean
modules:
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "modules: no kernel \
	headers (KVER='$(KVER)'); run tests/xen/deps.sh" >&2; exit 1; }
	@$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR) modules 2>&1 | \
		grep -v '^Skipping BTF generation'; exit $${PIPESTATUS[0]}

modules-clean:
	@$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR) clean
