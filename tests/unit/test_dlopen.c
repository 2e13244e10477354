/* The built module as libpam sees it: it loads with every symbol
 * resolved, offers the four pam_sm_* entry points and nothing else, and
 * survives being loaded and unloaded again. */
#include "unit.h"

#include <dlfcn.h>
#include <elf.h>

#ifndef MODULE_PATH
#error "MODULE_PATH must name the built pam_resgrid.so"
#endif

static const char *const entry_points[] = {
    "pam_sm_authenticate",
    "pam_sm_setcred",
    "pam_sm_acct_mgmt",
    "pam_sm_chauthtok",
};

#define ENTRY_COUNT (sizeof(entry_points) / sizeof(entry_points[0]))

/* Names of the private library that must stay inside the module. */
static const char *const internals[] = {
    "rg_config_load", "rg_token_classify", "rg_http_open",
    "rg_cache_store", "rg_sanitize",
};

#define INTERNAL_COUNT (sizeof(internals) / sizeof(internals[0]))

static void *load_module(void) {
  void *module;

  dlerror();
  module = dlopen(MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
  ck_assert_msg(module != NULL, "dlopen: %s", dlerror());
  return module;
}

static void unload_module(void *module) {
  ck_assert_msg(dlclose(module) == 0, "dlclose: %s", dlerror());
}

START_TEST(test_module_loads_with_every_symbol_resolved) {
  unload_module(load_module());
}
END_TEST

static void exported(int i) {
  void *module = load_module();

  ck_assert_msg(dlsym(module, entry_points[i]) != NULL, "%s not found",
                entry_points[i]);
  unload_module(module);
}

static void hidden(int i) {
  void *module = load_module();

  ck_assert_msg(dlsym(module, internals[i]) == NULL, "%s is exported",
                internals[i]);
  unload_module(module);
}

START_TEST(test_module_loads_again_after_unloading_ten_times) {
  for (int i = 0; i < 10; i++) {
    void *module = load_module();

    ck_assert_ptr_nonnull(dlsym(module, "pam_sm_authenticate"));
    unload_module(module);
  }
}
END_TEST

/* The module file, read whole. */
struct image {
  unsigned char *data;
  size_t size;
};

static struct image read_module(void) {
  FILE *f = fopen(MODULE_PATH, "rb");
  struct image img = {NULL, 0};
  long size;

  ck_assert_msg(f != NULL, "cannot open %s", MODULE_PATH);
  ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
  size = ftell(f);
  ck_assert_int_gt(size, (long)sizeof(Elf64_Ehdr));
  rewind(f);
  img.size = (size_t)size;
  img.data = malloc(img.size);
  ck_assert_ptr_nonnull(img.data);
  ck_assert_uint_eq(fread(img.data, 1, img.size, f), img.size);
  fclose(f);
  return img;
}

/* Copies count bytes at offset into out, after checking the bounds:
 * a malformed file fails the test instead of crashing it. */
static void copy_out(const struct image *img, size_t offset, void *out,
                     size_t count) {
  ck_assert_msg(offset <= img->size && count <= img->size - offset,
                "ELF reference out of the file");
  memcpy(out, img->data + offset, count);
}

static Elf64_Shdr section(const struct image *img, const Elf64_Ehdr *eh,
                          size_t index) {
  Elf64_Shdr sh;

  ck_assert_uint_lt(index, eh->e_shnum);
  copy_out(img, eh->e_shoff + index * eh->e_shentsize, &sh, sizeof(sh));
  return sh;
}

static bool is_export(const Elf64_Sym *sym) {
  unsigned bind = ELF64_ST_BIND(sym->st_info);
  unsigned type = ELF64_ST_TYPE(sym->st_info);

  if (sym->st_shndx == SHN_UNDEF)
    return false;
  if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE)
    return false;
  return type == STT_FUNC || type == STT_OBJECT || type == STT_GNU_IFUNC ||
         type == STT_TLS;
}

START_TEST(test_dynamic_symbol_table_defines_only_pam_sm_functions) {
  struct image img = read_module();
  Elf64_Ehdr eh;
  Elf64_Shdr dynsym;
  Elf64_Shdr dynstr;
  bool found_dynsym = false;
  int seen[ENTRY_COUNT] = {0};

  copy_out(&img, 0, &eh, sizeof(eh));
  ck_assert_int_eq(memcmp(eh.e_ident, ELFMAG, SELFMAG), 0);
  ck_assert_int_eq(eh.e_ident[EI_CLASS], ELFCLASS64);
  ck_assert_int_eq(eh.e_type, ET_DYN);
  ck_assert_uint_eq(eh.e_shentsize, sizeof(Elf64_Shdr));

  for (size_t i = 0; i < eh.e_shnum && !found_dynsym; i++) {
    dynsym = section(&img, &eh, i);
    found_dynsym = dynsym.sh_type == SHT_DYNSYM;
  }
  ck_assert_msg(found_dynsym, "no .dynsym section");
  ck_assert_uint_eq(dynsym.sh_entsize, sizeof(Elf64_Sym));
  dynstr = section(&img, &eh, dynsym.sh_link);
  ck_assert_int_eq(dynstr.sh_type, SHT_STRTAB);
  ck_assert(dynstr.sh_offset <= img.size &&
            dynstr.sh_size <= img.size - dynstr.sh_offset);

  for (size_t off = 0; off + sizeof(Elf64_Sym) <= dynsym.sh_size;
       off += sizeof(Elf64_Sym)) {
    Elf64_Sym sym;
    const char *name;
    size_t e;

    copy_out(&img, dynsym.sh_offset + off, &sym, sizeof(sym));
    if (!is_export(&sym))
      continue;
    ck_assert_uint_lt(sym.st_name, dynstr.sh_size);
    name = (const char *)img.data + dynstr.sh_offset + sym.st_name;
    ck_assert_ptr_nonnull(memchr(name, '\0', dynstr.sh_size - sym.st_name));
    for (e = 0; e < ENTRY_COUNT && strcmp(name, entry_points[e]) != 0; e++)
      ;
    ck_assert_msg(e < ENTRY_COUNT, "the module exports %s", name);
    seen[e]++;
  }
  for (size_t e = 0; e < ENTRY_COUNT; e++)
    ck_assert_msg(seen[e] == 1, "%s defined %d times", entry_points[e],
                  seen[e]);
  free(img.data);
}
END_TEST

#define MAX_NAME 64

static Suite *dlopen_suite(void) {
  static TTest export_tests[ENTRY_COUNT];
  static char export_names[ENTRY_COUNT][MAX_NAME];
  static TTest hidden_tests[INTERNAL_COUNT];
  static char hidden_names[INTERNAL_COUNT][MAX_NAME];
  Suite *s = suite_create("dlopen");
  TCase *tc = tcase_create("module");

  tcase_add_test(tc, test_module_loads_with_every_symbol_resolved);
  for (size_t i = 0; i < ENTRY_COUNT; i++) {
    snprintf(export_names[i], MAX_NAME, "test_module_exports_%s",
             entry_points[i]);
    export_tests[i] = (TTest){export_names[i], exported, __FILE__, __LINE__};
    tcase_add_loop_test(tc, &export_tests[i], (int)i, (int)i + 1);
  }
  for (size_t i = 0; i < INTERNAL_COUNT; i++) {
    snprintf(hidden_names[i], MAX_NAME, "test_module_hides_%s", internals[i]);
    hidden_tests[i] = (TTest){hidden_names[i], hidden, __FILE__, __LINE__};
    tcase_add_loop_test(tc, &hidden_tests[i], (int)i, (int)i + 1);
  }
  tcase_add_test(tc, test_module_loads_again_after_unloading_ten_times);
  tcase_add_test(tc, test_dynamic_symbol_table_defines_only_pam_sm_functions);
  suite_add_tcase(s, tc);
  return s;
}

UNIT_MAIN(dlopen_suite)
