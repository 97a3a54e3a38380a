#!/usr/bin/env python3
"""Generates the C files scripts/check-obemu-api.sh compiles (see there).

usage: check-obemu-api.py VENDOR_H_DIR EMULATOR_API_DIR WORK_DIR
"""
import os
import re
import sys

vendor_h, api, work = sys.argv[1:4]

# vendor header -> the emulator's table
HEADERS = [('Error', 'ob_error'), ('Context', 'ob_context'), ('Device', 'ob_device'),
           ('Advanced', 'ob_advanced'), ('ApplicationConfig', 'ob_application_config'),
           ('Filter', 'ob_filter'), ('Frame', 'ob_frame'), ('MultipleDevices', 'ob_multiple_devices'),
           ('Pipeline', 'ob_pipeline'), ('RecordPlayback', 'ob_record_playback'),
           ('Sensor', 'ob_sensor'), ('StreamProfile', 'ob_stream_profile'),
           ('TypeHelper', 'ob_type_helper'), ('Utils', 'ob_utils'), ('Version', 'ob_version')]
# where the types live, on each side
VENDOR_TYPES = ['ObTypes.h', 'Property.h', 'ApplicationConfig.h']
OUR_TYPES = ['ob_types.h', 'ob_types_device.h', 'ob_property.h', 'ob_application_config.h']


def read(path):
    with open(path) as f:
        text = f.read()
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


def write(name, text):
    with open(os.path.join(work, name), 'w') as f:
        f.write(text)


VENDOR_INCLUDES = ''.join('#include "libobsensor/h/%s.h"\n' % h for h, _ in HEADERS)
VENDOR_INCLUDES += '#include "libobsensor/h/Property.h"\n'

# ---- 1. prototypes, 2. missing functions ------------------------------------------------------
write('headers.txt', ''.join('%s %s\n' % hv for hv in HEADERS))
ours = []
for vh, mine in HEADERS:
    write('proto_%s.c' % vh, '''#include <stddef.h>
#include "libobsensor/h/ObTypes.h"
#include "libobsensor/h/%s.h"
#define OBEMU_ZERO(type) 0
#define SAME(ret, name, params) \\
    _Static_assert(__builtin_types_compatible_p(__typeof__(name), ret params), \\
                   "the prototype of " #name " differs from the vendor's");
#define OBEMU_F(status, ret, name, params, args) SAME(ret, name, params)
#define OBEMU_V(status, name, params, args) SAME(void, name, params)
#define OBEMU_N(status, ret, name, params, args) SAME(ret, name, params)
#include "%s.def"
''' % (vh, mine))
    ours += re.findall(r'^OBEMU_[FVN]\(\w+, (?:[^,]*, )?(\w+), \(', open(os.path.join(api, mine + '.def')).read(), re.M)
vendor_funcs = []
for vh, _ in HEADERS:
    text = read(os.path.join(vendor_h, vh + '.h'))
    for decl in re.findall(r'OB_EXPORT\s+([^;]*?)\(', text, re.S):
        vendor_funcs.append(re.findall(r'\w+', decl)[-1])
write('vendor_functions.txt', ''.join(n + '\n' for n in vendor_funcs))
write('our_functions.txt', ''.join(n + '\n' for n in ours))
write('missing.txt', ''.join(n + '\n' for n in vendor_funcs if n not in set(ours)))

# ---- 3. types ---------------------------------------------------------------------------------
ENUM = re.compile(r'typedef\s+enum\s*\w*\s*\{(.*?)\}\s*([^;]*);', re.S)
STRUCT = re.compile(r'typedef\s+struct\s*\w*\s*\{(.*?)\}\s*([^;]*);', re.S)
PLAIN = re.compile(r'typedef\s+([^{};]*);')


def names_of(tail):
    return [n.strip() for n in tail.split(',') if re.fullmatch(r'\s*\w+\s*', n)]


def parse(text):
    enumerators, structs, plain = [], {}, {}
    for body, tail in ENUM.findall(text):
        for item in body.split(','):
            if item.strip():
                enumerators.append(item.split('=')[0].strip())
        for n in names_of(tail):
            plain.setdefault(n, None)  # an enum type: checked by size
    for body, tail in STRUCT.findall(text):
        fields = []
        if '{' not in body:
            for decl in body.split(';'):
                decl = ' '.join(decl.split())
                if not decl:
                    continue
                fp = re.search(r'\(\s*\*\s*(\w+)\s*\)', decl)
                if fp:
                    fields.append((fp.group(1), decl.replace(fp.group(0), '(*)'), False))
                    continue
                bit = ':' in decl
                m = re.fullmatch(r'(.*?)(\w+)\s*((?:\[[^\]]*\]\s*)*)(?::.*)?', decl)
                fields.append((m.group(2), m.group(1).strip() + m.group(3).replace(' ', ''), bit))
        for n in names_of(tail):
            structs[n] = fields
    stripped = ENUM.sub('', STRUCT.sub('', text))
    for decl in PLAIN.findall(stripped):
        decl = ' '.join(decl.split())
        fp = re.search(r'\(\s*\*?\s*(\w+)\s*\)\s*\(', decl)
        if fp:
            star = '*' if '*' in fp.group(0) else ''
            plain[fp.group(1)] = decl.replace(fp.group(0), '(%s)(' % star, 1) if star else \
                decl.replace(fp.group(0), '(', 1)
            continue
        m = re.fullmatch(r'((?:struct\s+)?[\w\s]*?\w[\s*]*?)\s*(\w+(?:\s*,\s*\w+)*)', decl)
        if m:
            for n in m.group(2).split(','):
                plain[n.strip()] = m.group(1).strip()
    return enumerators, structs, plain


v_text = ''.join(read(os.path.join(vendor_h, h)) for h in VENDOR_TYPES)
o_text = ''.join(read(os.path.join(api, h)) for h in OUR_TYPES)
v_enum, v_struct, v_plain = parse(v_text)
o_enum, o_struct, o_plain = parse(o_text)

enumerators = list(dict.fromkeys(v_enum + o_enum))
struct_names = list(dict.fromkeys(list(v_struct) + list(o_struct)))
field_names = {s: list(dict.fromkeys([f[0] for f in v_struct.get(s, []) + o_struct.get(s, []) if not f[2]]))
               for s in struct_names}
sized = [n for n in dict.fromkeys(list(v_plain) + list(o_plain))
         if '(' not in (v_plain.get(n) or o_plain.get(n) or '')
         and not (v_plain.get(n) or o_plain.get(n) or '').startswith('struct ')]  # not opaque

dump = ['#include <stddef.h>', '#include <stdio.h>', '#ifdef USE_VENDOR',
        VENDOR_INCLUDES.rstrip(), '#else', '#include "ob_types.h"', '#include "ob_property.h"',
        '#include "ob_application_config.h"', '#endif', 'int main(void)', '{']
for e in enumerators:
    dump.append('    printf("enum %%s %%lld\\n", "%s", (long long)%s);' % (e, e))
for n in sized + struct_names:
    dump.append('    printf("sizeof %%s %%zu\\n", "%s", sizeof(%s));' % (n, n))
for s in struct_names:
    for f in field_names[s]:
        dump.append('    printf("field %%s.%%s at %%zu size %%zu\\n", "%s", "%s", offsetof(%s, %s), '
                    'sizeof(((%s *)0)->%s));' % (s, f, s, f, s, f))
dump += ['    return 0;', '}', '']
write('dump.c', '\n'.join(dump))

check = ['#include <stddef.h>', VENDOR_INCLUDES.rstrip(),
         '#define SAME(a, b, what) _Static_assert(__builtin_types_compatible_p(a, b), what);']
for s, fields in o_struct.items():
    for name, ftype, bit in fields:
        if not bit:
            check.append('SAME(__typeof__(((%s *)0)->%s), %s, "the type of %s.%s")' % (s, name, ftype, s, name))
for n, t in o_plain.items():
    if t:
        check.append('SAME(%s, %s, "the typedef %s")' % (n, t, n))
write('typecheck.c', '\n'.join(check) + '\n')
