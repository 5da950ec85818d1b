# shellcheck shell=sh disable=SC2034
# cross/common.sh - what tools/cross/check, tools/cross/size and
# tools/buildroot/test share: the architectures, whether this tree's
# Makefile builds TLS yet, and the size budget. Sourced, not run.

# arch_vars ARCH: sets triplet (the Debian cross compiler's prefix), qemu
# (the emulator, run explicitly: binfmt need not be registered), machine
# (readelf -h's Machine line) and QEMU (qemu with the cross libc as its
# library prefix, for dynamic binaries).
arch_vars() {
	case "$1" in
	armhf) triplet="arm-linux-gnueabihf"; qemu="qemu-arm"; machine="ARM" ;;
	arm64) triplet="aarch64-linux-gnu"; qemu="qemu-aarch64"; machine="AArch64" ;;
	x86_64) triplet=""; qemu=""; machine="Advanced Micro Devices X86-64" ;;
	*) echo "ARCH must be armhf or arm64 (x86_64 for sizes), not '$1'" >&2; return 2 ;;
	esac
	QEMU=${qemu:+"$qemu -L /usr/$triplet"}
	cross=${triplet:+"$triplet-"}
}

# tls_variants: "none mbedtls" once the Makefile accepts TLS=mbedtls, else
# "none". The TLS variants are never reported built when they were not.
tls_variants() {
	if make -n TLS=mbedtls BUILD=build/cross/probe all >/dev/null 2>&1; then
		echo "none mbedtls"
	else
		echo "none"
	fi
}
TLS_MISSING="not built yet (TLS not implemented)"

# says_tls VERSION-LINE TLS: does `dockev --version` name this TLS setting
# ("TLS none", "TLS mbedTLS 2.28.3")?
says_tls() {
	case "$2:$1" in
	none:"dockev "*"TLS none"*) return 0 ;;
	mbedtls:"dockev "*"TLS mbedTLS"* | mbedtls:"dockev "*"TLS mbedtls"*) return 0 ;;
	*) return 1 ;;
	esac
}

# The stripped, dynamically linked armhf agent without TLS stays readable
# at a glance in `ls -l`: tens of KiB. check-cross ARCH=armhf and make size
# fail past this many bytes. 64 KiB until docker contexts (with SHA-256),
# the resume module and API negotiation came (67,644 bytes then): 72 KiB;
# 80 KiB since --hook-user, --hook-debounce and the non-blocking stdout
# (79,972 bytes then); 104 KiB since --snapshot (lists, object view,
# filter matching: ~8 KiB) and the MQTT client (~12 KiB) came (100,456
# bytes then); 112 KiB with the catch-up module and the drain (108,648
# bytes). MQTT=none, which make size shows too, stays near 88 KiB.
SIZE_BUDGET_ARMHF=114688

# stripped_size BINARY: bytes of BINARY stripped as an install would
# (a copy, so the unstripped one keeps its symbols for debugging).
stripped_size() {
	"${cross}strip" -o "$1.stripped" "$1" && wc -c <"$1.stripped" | tr -d ' '
}
