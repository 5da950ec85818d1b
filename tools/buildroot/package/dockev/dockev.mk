################################################################################
#
# dockev
#
################################################################################

# Built from the dockev tree this external tree sits in (tools/buildroot),
# through the project's own Makefile, unchanged: buildroot's CC, CFLAGS
# and LDFLAGS go on the make command line (TARGET_CONFIGURE_OPTS) and the
# Makefile appends them after its own required flags.
DOCKEV_VERSION = 0.1.0
DOCKEV_SITE = $(BR2_EXTERNAL_DOCKEV_PATH)/../..
DOCKEV_SITE_METHOD = local
# A developer's build/ (host and cross objects) must not reach the package.
DOCKEV_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = --exclude /build --exclude /.git
# jsmn is header-only: its jsmn.h in the staging directory is all we use.
DOCKEV_DEPENDENCIES = jsmn

ifeq ($(BR2_PACKAGE_DOCKEV_TLS),y)
DOCKEV_DEPENDENCIES += mbedtls
DOCKEV_TLS = mbedtls
else
DOCKEV_TLS = none
endif

# TLS is always given: the Makefile's default follows what it finds.
DOCKEV_MAKE_OPTS = $(TARGET_CONFIGURE_OPTS) TLS=$(DOCKEV_TLS) PREFIX=/usr
ifeq ($(BR2_STATIC_LIBS),y)
DOCKEV_MAKE_OPTS += STATIC=1
endif

define DOCKEV_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) $(DOCKEV_MAKE_OPTS) -C $(@D) all
endef

define DOCKEV_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) $(DOCKEV_MAKE_OPTS) DESTDIR=$(TARGET_DIR) -C $(@D) install
	$(INSTALL) -d -m 0755 $(TARGET_DIR)/etc/dockev/hooks
	$(INSTALL) -D -m 0644 $(DOCKEV_PKGDIR)/dockev.default \
		$(TARGET_DIR)/etc/default/dockev
endef

define DOCKEV_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(DOCKEV_PKGDIR)/S95dockev \
		$(TARGET_DIR)/etc/init.d/S95dockev
endef

# Enabled by buildroot's `systemctl preset-all` through the preset file.
define DOCKEV_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(DOCKEV_PKGDIR)/dockev.service \
		$(TARGET_DIR)/usr/lib/systemd/system/dockev.service
	$(INSTALL) -D -m 0644 $(DOCKEV_PKGDIR)/80-dockev.preset \
		$(TARGET_DIR)/usr/lib/systemd/system-preset/80-dockev.preset
endef

$(eval $(generic-package))
