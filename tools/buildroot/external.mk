include $(sort $(wildcard $(BR2_EXTERNAL_DOCKEV_PATH)/package/*/*.mk))
