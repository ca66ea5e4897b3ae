# SPDX-License-Identifier: GPL-2.0-or-later
# The committed lab traces are trace-cmd's own files, and show each
# scenario's device accesses.
. "$(dirname "$0")/../lib.sh"

command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"

for s in d3-access hang-reset bugcheck irq-storm lost-msi stray-mmio healthy; do
	f=$TOP/samples/traces/$s.dat
	run trace-cmd report "$f"
	expect_rc 0 "trace-cmd report reads $s.dat"
	expect_out "kvm_mmio: +mmio (read|write)" "$s: device MMIO is visible"
	expect_out "kvm_pio: +pio_write at 0xcf8 size 4" "$s: config address writes to 0xcf8"
	expect_out "kvm_pio: +pio_(read|write) at 0xcf[c-f] " "$s: config data through 0xcfc"
	case $s in
	hang-reset|bugcheck|irq-storm) expect_out "kvm_set_irq: +gsi 2[0-3] level 1" "$s: the device's INTx" ;;
	*) expect_out "kvm_msi_set_irq: +dst 0 vec 3[23]" "$s: the device's MSIs" ;;
	esac
	case $s in
	stray-mmio) expect_out "kvm_userspace_exit: +reason KVM_EXIT_SHUTDOWN" "$s: ends in the triple fault's shutdown exit" ;;
	bugcheck)
		expect_out "kvm_msr: +msr_write 40000100 = 0x116 \(#GP\)" "$s: the bugcheck code written to P0, refused"
		expect_out "kvm_msr: +msr_write 40000105 = 0x8000000000000000 \(#GP\)" "$s: CRASH_NOTIFY written, refused"
		expect_out "pio_write at 0x505 size 1 count 1 val 0x1" "$s: then the pvpanic write" ;;
	healthy) grep -q "pio_write at 0x505" "$T/out" && not_ok "$s: no pvpanic" || ok "$s: no pvpanic" ;;
	*) expect_out "pio_write at 0x505 size 1 count 1 val 0x1" "$s: ends in the pvpanic write" ;;
	esac
	run trace-cmd dump --summary -i "$f"
	expect_out "zstd" "$s.dat is zstd-compressed"
done

# the files pttrace record wrote are trace-cmd's format too
for f in "$TOP"/samples/traces/pttrace/*.dat; do
	s=$(basename "$f" .dat)
	run trace-cmd report "$f"
	expect_rc 0 "trace-cmd report reads pttrace/$s.dat"
	expect_out "kvm_mmio: +mmio (read|write)" "pttrace/$s: device MMIO is visible"
	run trace-cmd dump --summary -i "$f"
	expect_out "zstd" "pttrace/$s.dat: trace-cmd dump --summary reads it"
done
