/*
 * kvm_exit's reason as the kernel prints it, back to the number, by the
 * names reports print (pt-exit-reasons.h: one table for both).
 */
#include <ctype.h>
#include <string.h>

#include "pt-exit-reasons.h"
#include "text-local.h"

int pt_text_exit_reason(const char *p, size_t n, uint64_t *val)
{
	uint32_t v, flag;
	const char *sp;

	if (!pt_exit_reason_by_name(PT_ISA_SVM, p, n, &v)) {
		*val = v;
		return 0;
	}
	/* VMX: "EPT_VIOLATION" or "EPT_VIOLATION FAILED_VMENTRY|SGX_ENCLAVE_MODE" */
	sp = memchr(p, ' ', n);
	if (!pt_exit_reason_by_name(PT_ISA_VMX, p, sp ? (size_t)(sp - p) : n, &v)) {
		*val = v;
		if (sp) {
			const char *f = sp + 1, *e = p + n;

			while (f < e) {
				const char *bar = memchr(f, '|', e - f);
				size_t fl = bar ? (size_t)(bar - f) : (size_t)(e - f);

				if (pt_exit_flag_by_name(f, fl, &flag))
					return -1;
				*val |= flag;
				f += fl + 1;
			}
		}
		return 0;
	}
	if (n > 2 && p[0] == '0' && p[1] == 'x') {	/* printed as a number: unnamed */
		char tmp[24];
		const char *t = tmp;

		if (n >= sizeof(tmp))
			return -1;
		memcpy(tmp, p, n);
		tmp[n] = '\0';
		return pt_text_num(&t, 1, val);
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-')
			return -1;
	*val = PT_TEXT_EXIT_UNNAMED;
	return 0;
}
